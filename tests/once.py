"""Something expensive built once per test run and shared by the run's test processes.

A parallel run (pytest-xdist) gives each process a temporary folder under the run's own
(`.../pytest-N/popen-gw0`); what every process may share goes in a folder beside them. The first
process to ask builds it while the others wait on a file lock, then finds it built. A build that
failed (or whose process died) is not marked built: the next process to ask calls `build` again,
which must then cope with what the failed one left (an existing database, say).
"""

import fcntl
import os
import time
from pathlib import Path


def run_id() -> str | None:
    """The parallel run's id (the same in every test process), or None outside a parallel run."""
    return os.environ.get("PYTEST_XDIST_TESTRUNUID")


def shared(tmp_path_factory, name: str, build) -> tuple[Path, str]:
    """The folder `name` shared by this run's test processes, built once by `build(folder)`, which
    returns a short text (kept, and returned to every process: a URL, a path). Outside a parallel
    run the folder is the process's own."""
    if run_id() is None:
        folder = tmp_path_factory.mktemp(name)
        return folder, build(folder)
    folder = tmp_path_factory.getbasetemp().parent / name
    folder.mkdir(exist_ok=True)
    done = folder / ".built"
    with open(folder / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not done.exists():
            done.write_text(build(folder))
    return folder, done.read_text()


def create_database_from(conn, name: str, template: str, *, attempts: int = 40):
    """CREATE DATABASE name TEMPLATE template on PostgreSQL (`conn` in autocommit), waiting while
    another test process copies the same template: PostgreSQL copies a template for one at a time."""
    for attempt in range(attempts):
        try:
            conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
            return
        except Exception as exc:
            if "is being accessed by other users" not in str(exc) or attempt == attempts - 1:
                raise
            time.sleep(0.5)
