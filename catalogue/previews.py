"""Office documents (DOCX, PPTX, …) rendered as PDF by LibreOffice, for the in-page reader.

Run by the task `document_previews_build` after publication: only reviewed, published documents
are converted. Where LibreOffice is not installed the preview row says so, and the resource page
offers the download instead of the reader. The conversion runs headless, without the user's
profile (a throwaway one per run, so parallel conversions do not collide), in its own process
group, and is killed after PREVIEW_TIMEOUT seconds.
"""

import logging
import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.files.base import File
from django.utils.translation import gettext as _

from .models import OFFICE_EXTENSIONS, DocumentPreview

logger = logging.getLogger(__name__)

PREVIEW_TIMEOUT = getattr(settings, "DOCUMENT_PREVIEW_TIMEOUT", 180)


def libreoffice_binary() -> str | None:
    return shutil.which("libreoffice") or shutil.which("soffice")


def _store(document, *, status, note="", pdf_path: Path | None = None) -> DocumentPreview:
    preview, _created = DocumentPreview.objects.get_or_create(document=document, defaults={"status": status})
    if preview.file:
        preview.file.delete(save=False)
    preview.status = status
    preview.note = note
    preview.source_size = document.file.size if document.file else 0
    if pdf_path is not None:
        with pdf_path.open("rb") as fh:
            preview.file.save(f"{document.pk}.pdf", File(fh), save=False)
    preview.save()
    return preview


def document_preview_build(*, document) -> DocumentPreview:
    """Convert `document` to PDF and store it as its preview (or note why not)."""
    extension = document.file_extension.lower()
    if extension not in OFFICE_EXTENSIONS:
        raise ValueError(f"not an office document: {document.filename}")
    binary = libreoffice_binary()
    if binary is None:
        return _store(
            document,
            status=DocumentPreview.Status.UNAVAILABLE,
            note=_("服务器未安装 LibreOffice，暂不能在线阅读，请下载后查看。"),
        )
    with tempfile.TemporaryDirectory(prefix="zmd-preview-") as tmp:
        tmp = Path(tmp)
        source = tmp / f"source.{extension}"
        with document.file.open("rb") as src, source.open("wb") as dst:
            shutil.copyfileobj(src, dst, 1024 * 1024)
        command = [
            binary,
            f"-env:UserInstallation={(tmp / 'profile').as_uri()}",
            "--headless",
            "--norestore",
            "--nolockcheck",
            "--nodefault",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp / "out"),
            str(source),
        ]
        process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True, cwd=tmp
        )
        try:
            _out, err = process.communicate(timeout=PREVIEW_TIMEOUT)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            logger.warning("LibreOffice timed out converting document %s", document.pk)
            return _store(
                document,
                status=DocumentPreview.Status.FAILED,
                note=_("文档转换超时，暂不能在线阅读，请下载后查看。"),
            )
        result = tmp / "out" / "source.pdf"
        if process.returncode != 0 or not result.exists() or result.stat().st_size == 0:
            logger.warning(
                "LibreOffice could not convert document %s (exit %s): %s",
                document.pk,
                process.returncode,
                err.decode(errors="replace")[-500:],
            )
            return _store(
                document,
                status=DocumentPreview.Status.FAILED,
                note=_("文档无法转换为在线阅读版本，请下载后查看。"),
            )
        return _store(document, status=DocumentPreview.Status.READY, pdf_path=result)
