"""Media storage that never shows a partly written file under a real name.

Django's FileSystemStorage writes an upload straight into its final path (or copies a temporary
file into it chunk by chunk across file systems), so a killed process or a full disk leaves a
truncated file that looks like a real one. Here every file is written under a temporary name in
the target directory (`.zmd-part-…`, held with an advisory lock while it is written), then linked
into place in one step, never over an existing file. Parts left by a killed process are removed
by `stale_parts_remove` (the lock tells a live writer from a dead one).
"""

import contextlib
import fcntl
import os
import time
import uuid

from django.core.files.storage import FileSystemStorage

PART_PREFIX = ".zmd-part-"
STALE_AFTER_SECONDS = 2  # older than the instant between creating a part and locking it


def _makedirs(directory: str, mode: int | None):
    if mode is None:
        os.makedirs(directory, exist_ok=True)
        return
    old = os.umask(0o777 & ~mode)
    try:
        os.makedirs(directory, mode, exist_ok=True)
    finally:
        os.umask(old)


def _write_all(fd: int, data: bytes):
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


class AtomicFileSystemStorage(FileSystemStorage):
    def _save(self, name, content):
        full_path = self.path(name)
        directory = os.path.dirname(full_path)
        _makedirs(directory, self.directory_permissions_mode)
        part = os.path.join(directory, f"{PART_PREFIX}{uuid.uuid4().hex}")
        fds = [os.open(part, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)]
        try:
            fcntl.flock(fds[0], fcntl.LOCK_EX | fcntl.LOCK_NB)
            moved = False
            temporary = getattr(content, "temporary_file_path", None)
            if temporary is not None:
                # Same file system: the streamed temporary file becomes the part, no copy.
                with contextlib.suppress(OSError):
                    os.rename(temporary(), part)
                    moved = True
            if moved:
                # Lock the part unless its uploader (ops.upload_handler) already holds the lock.
                fds.append(os.open(part, os.O_RDONLY))
                with contextlib.suppress(BlockingIOError):
                    fcntl.flock(fds[-1], fcntl.LOCK_EX | fcntl.LOCK_NB)
                os.utime(part)
            else:
                if hasattr(content, "seek"):
                    content.seek(0)
                for chunk in content.chunks():
                    _write_all(fds[0], chunk if isinstance(chunk, bytes) else chunk.encode())
            while True:
                try:
                    os.link(part, full_path)  # atomic, and never replaces an existing file
                    break
                except FileExistsError:
                    name = self.get_available_name(name)
                    full_path = self.path(name)
            os.unlink(part)
            if self.file_permissions_mode is not None:
                os.chmod(full_path, self.file_permissions_mode)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(part)
            raise
        finally:
            for fd in fds:
                os.close(fd)
        return str(name).replace("\\", "/")


def unlocked(path: str) -> bool:
    """Whether nobody holds the advisory lock of `path` (its writer is gone)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    finally:
        os.close(fd)
    return True


def stale_parts_remove(root: str, *, older_than: float = STALE_AFTER_SECONDS) -> list[str]:
    """Delete the parts under `root` that a killed process left behind; returns their paths."""
    removed, now = [], time.time()
    for directory, _dirs, files in os.walk(root):
        for name in files:
            if not name.startswith(PART_PREFIX):
                continue
            path = os.path.join(directory, name)
            with contextlib.suppress(OSError):
                if now - os.stat(path).st_mtime >= older_than and unlocked(path):
                    os.unlink(path)
                    removed.append(path)
    return removed
