"""Reading documents in the page: PDF renderings of office files."""

from django.db import models
from django.utils.translation import gettext_lazy as _

# Office formats LibreOffice turns into PDF for the in-page reader; PDFs are read as they are.
OFFICE_EXTENSIONS = {"doc", "docx", "ppt", "pptx", "xls", "xlsx", "odt", "odp", "ods", "rtf", "wps"}


class DocumentPreview(models.Model):
    """A PDF rendering of an office document (DOCX, PPTX, …) for reading in the page.

    Built by the task `catalogue.tasks.document_previews_build` after publication, with LibreOffice
    where it is installed; otherwise the row says why there is none and the page offers the
    download only.
    """

    class Status(models.TextChoices):
        READY = "ready", _("已生成")
        FAILED = "failed", _("转换失败")
        UNAVAILABLE = "unavailable", _("未安装转换程序")

    document = models.OneToOneField(
        "wagtaildocs.Document", verbose_name=_("文件"), on_delete=models.CASCADE, related_name="preview"
    )
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices)
    file = models.FileField(_("PDF 版本"), upload_to="previews/", blank=True)
    note = models.CharField(_("说明"), max_length=300, blank=True)
    source_size = models.BigIntegerField(_("原文件大小"), default=0)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("文档在线阅读版")
        verbose_name_plural = _("文档在线阅读版")

    def __str__(self):
        return f"{self.document} ({self.get_status_display()})"
