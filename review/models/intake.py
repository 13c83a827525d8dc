"""What the intake of a teacher's files stores.

`FileIntake` describes one stored file: its SHA-256 (computed while the upload streamed in), where it
is stored, what its content is, and what the tools measured in it. `FileCheck` is the technical
verdict on that file for one use: it is bound to the same bytes (the SHA-256) and to everything the
verdict depends on (the quality standard's version, the file's role, the resource type). A file
whose measurement could not run (ffprobe missing, a timeout) is 待检测 and never counts as passed.

`DraftToken` makes saving a new draft idempotent: the form carries a token, and a retried POST with
the same token updates the draft it created instead of creating a second one.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class FileIntake(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("待检测")
        MEASURED = "measured", _("已检测")

    document = models.OneToOneField(
        "wagtaildocs.Document", null=True, blank=True, on_delete=models.CASCADE, related_name="review_intake"
    )
    image = models.OneToOneField(
        "wagtailimages.Image", null=True, blank=True, on_delete=models.CASCADE, related_name="review_intake"
    )
    stored_name = models.CharField(_("存储路径"), max_length=255)
    size = models.BigIntegerField(_("字节数"))
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    content = models.CharField(_("内容类型"), max_length=20)  # ops.uploads.KINDS: mp4, pdf, png…
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.PENDING)
    measurement = models.JSONField(_("测量结果"), default=dict, blank=True)
    warnings = models.JSONField(_("提示"), default=list, blank=True)  # soft findings of the intake
    error = models.CharField(_("未能检测的原因"), max_length=300, blank=True)
    attempts = models.PositiveIntegerField(_("检测次数"), default=0)
    queued_at = models.DateTimeField(_("排队检测时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("接收时间"), auto_now_add=True)
    measured_at = models.DateTimeField(_("检测时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("接收的文件")
        verbose_name_plural = _("接收的文件")
        constraints = [
            models.CheckConstraint(
                condition=Q(document__isnull=False, image__isnull=True) | Q(document__isnull=True, image__isnull=False),
                name="fileintake_one_file",
            )
        ]

    def __str__(self):
        return self.stored_name

    @property
    def stored_file(self):
        return (self.document or self.image).file

    def describes(self, fieldfile) -> bool:
        """Whether this row still describes the file stored under `fieldfile` (not a replaced one)."""
        return bool(fieldfile) and fieldfile.name == self.stored_name


class FileCheck(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", _("待检测")
        PASSED = "passed", _("通过")
        FAILED = "failed", _("不合格")

    intake = models.ForeignKey(FileIntake, on_delete=models.CASCADE, related_name="checks")
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    role = models.CharField(_("用途"), max_length=20)  # video / audio / document / extra / cover / image
    resource_type = models.CharField(_("资源类型"), max_length=20)
    standard_version = models.PositiveIntegerField(_("质量标准版本"))
    state = models.CharField(_("结果"), max_length=20, choices=State.choices, default=State.PENDING)
    results = models.JSONField(_("检测明细"), default=list, blank=True)
    checked_at = models.DateTimeField(_("检测时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("技术检测")
        verbose_name_plural = _("技术检测")
        constraints = [
            models.UniqueConstraint(
                fields=["intake", "sha256", "role", "resource_type", "standard_version"], name="filecheck_one_per_use"
            )
        ]

    def __str__(self):
        return f"{self.intake} · {self.role} · {self.get_state_display()}"


class DraftToken(models.Model):
    token = models.UUIDField(primary_key=True)
    teacher = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    submission = models.ForeignKey(
        "review.Submission", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("草稿表单标记")
        verbose_name_plural = _("草稿表单标记")

    def __str__(self):
        return str(self.token)


class ResumableUpload(models.Model):
    """One resumable (tus) upload of a teacher's main file, while its chunks arrive
    (review/resumable.py). The bytes live outside MEDIA_ROOT until the form is saved with this id:
    then the assembled file goes through the same checks as a multipart upload, is moved into
    storage and this row is deleted. Unfinished uploads expire (`expires_at`)."""

    id = models.UUIDField(primary_key=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    field = models.CharField(_("表单项"), max_length=20)
    resource_type = models.CharField(_("资源类型"), max_length=20, blank=True)  # narrows the kinds, when given
    filename = models.CharField(_("文件名"), max_length=255)
    length = models.BigIntegerField(_("字节数"))
    offset = models.BigIntegerField(_("已接收字节数"), default=0)
    kind = models.CharField(_("内容类型"), max_length=20, blank=True)  # from the first chunk
    created_at = models.DateTimeField(_("开始时间"), auto_now_add=True)
    expires_at = models.DateTimeField(_("过期时间"), db_index=True)
    claimed_at = models.DateTimeField(_("使用时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("续传中的上传")
        verbose_name_plural = _("续传中的上传")

    def __str__(self):
        return f"{self.filename} ({self.offset}/{self.length})"

    @property
    def complete(self) -> bool:
        return self.offset == self.length
