"""A submission (申报): a teacher's draft ResourcePage while it is in the campaign, plus what review adds.

The resource itself (title, files, taxonomy) lives on the catalogue's ResourcePage as an unpublished
page owned by the teacher. `Submission.status` is the one source of truth for where the work stands;
it changes only through `review.transitions.apply`, which keeps Wagtail's workflow rows in step so
that the admin's workflow views stay truthful.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from catalogue.models import CampaignPage, Region, ResourcePage, School, Subject, Theme


class Stage(models.TextChoices):
    """The states of the review pipeline (the transitions between them: review/transitions.py)."""

    DRAFT = "draft", _("草稿")
    CHECKING = "checking", _("技术检测中")
    COUNTY_REVIEW = "county_review", _("县区初审中")
    EXPERT_REVIEW = "expert_review", _("市级评审中")
    RETURNED = "returned", _("退回修改")
    WITHDRAWN = "withdrawn", _("已撤回")
    REJECTED = "rejected", _("未通过")
    SELECTED = "selected", _("评审通过，待遴选")
    PUBLICITY = "publicity", _("公示中")
    PUBLISHED = "published", _("已入库发布")


# The states in which the teacher may edit the work: it is theirs again (never submitted, returned for
# revision or withdrawn). The intake's save path re-reads this under the row lock.
TEACHER_EDITABLE = (Stage.DRAFT, Stage.RETURNED, Stage.WITHDRAWN)


class Award(models.TextChoices):
    FIRST = "first", _("一等奖")
    SECOND = "second", _("二等奖")
    THIRD = "third", _("三等奖")
    MERIT = "merit", _("优秀")


class Submission(models.Model):
    page = models.OneToOneField(
        ResourcePage, verbose_name=_("资源"), on_delete=models.CASCADE, related_name="submission"
    )
    campaign = models.ForeignKey(
        CampaignPage, verbose_name=_("征集活动"), on_delete=models.PROTECT, related_name="submissions"
    )
    teacher = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("申报教师"), on_delete=models.PROTECT, related_name="submissions"
    )
    region = models.ForeignKey(Region, verbose_name=_("县（区）"), on_delete=models.PROTECT, related_name="submissions")
    school = models.ForeignKey(
        School, verbose_name=_("学校"), null=True, blank=True, on_delete=models.PROTECT, related_name="submissions"
    )
    status = models.CharField(_("状态"), max_length=20, choices=Stage.choices, default=Stage.DRAFT, db_index=True)
    # Which stage returned it for revision ("county" / "expert"): resubmission resumes there.
    returned_by_stage = models.CharField(_("退回环节"), max_length=20, blank=True)
    # While checking: the state it was submitted from, where failed checks or a withdrawal lead back.
    checking_from = models.CharField(_("提交前状态"), max_length=20, blank=True)
    reason = models.TextField(_("退回或未通过的理由"), blank=True)
    submitted_at = models.DateTimeField(_("首次提交时间"), null=True, blank=True)
    round = models.PositiveIntegerField(_("提交轮次"), default=0)
    checks = models.JSONField(_("技术检测结果"), default=list, blank=True)
    final_score = models.DecimalField(_("最终得分"), max_digits=5, decimal_places=2, null=True, blank=True)
    award = models.CharField(_("奖项"), max_length=20, choices=Award.choices, blank=True)
    # Set by the admin by hand (kept when the thresholds are re-applied, unless the admin confirms).
    award_manual = models.BooleanField(_("手动评定的奖项"), default=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("申报")
        verbose_name_plural = _("申报")
        ordering = ["-updated_at"]
        indexes = [models.Index(fields=["campaign", "status"])]

    def __str__(self):
        return self.page.draft_title or self.page.title

    @property
    def title(self):
        return self.page.draft_title or self.page.title

    @property
    def is_editable_by_teacher(self) -> bool:
        return self.status in TEACHER_EDITABLE

    @property
    def can_withdraw(self) -> bool:
        """撤回 is possible while the files are checked or before the county reviewer decides."""
        return self.status in (Stage.CHECKING, Stage.COUNTY_REVIEW)

    @property
    def current_publicity_item(self):
        """The entry of this work in the public notice it is (or was last) listed in, if any."""
        return (
            self.publicity_items.filter(removed_at__isnull=True)
            .select_related("publicity__campaign")
            .order_by("-publicity__opened_at", "-id")
            .first()
        )

    @property
    def hard_failures(self):
        return [c for c in self.checks if not c.get("passed") and c.get("level") == "hard"]

    @property
    def warnings(self):
        return [c for c in self.checks if not c.get("passed") and c.get("level") == "soft"]


class DocumentFingerprint(models.Model):
    """SHA-256 of an uploaded document, for the duplicate guard (Wagtail only keeps a SHA-1)."""

    document = models.OneToOneField("wagtaildocs.Document", on_delete=models.CASCADE, related_name="fingerprint")
    sha256 = models.CharField(max_length=64, db_index=True)
    size = models.BigIntegerField()

    class Meta:
        verbose_name = _("文件指纹")
        verbose_name_plural = _("文件指纹")

    def __str__(self):
        return self.sha256


class ExpertProfile(models.Model):
    """What a city expert is matched on when submissions are assigned automatically."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("专家账号"), on_delete=models.CASCADE, related_name="expert_profile"
    )
    subjects = models.ManyToManyField(Subject, verbose_name=_("擅长学科"), blank=True, related_name="+")
    themes = models.ManyToManyField(Theme, verbose_name=_("擅长主题"), blank=True, related_name="+")
    accepts_assignments = models.BooleanField(_("接受自动分配"), default=True)

    class Meta:
        verbose_name = _("评审专家资料")
        verbose_name_plural = _("评审专家资料")

    def __str__(self):
        profile = getattr(self.user, "profile", None)
        return (profile.display_name if profile else "") or self.user.get_username()


class Notification(models.Model):
    class Kind(models.TextChoices):
        SUBMITTED = "submitted", _("已提交")
        CHECKS = "checks", _("技术检测")
        TO_REVIEW = "to_review", _("待评审")
        RETURNED = "returned", _("退回修改")
        WITHDRAWN = "withdrawn", _("已撤回")
        REJECTED = "rejected", _("未通过")
        APPROVED = "approved", _("审核通过")
        PUBLICITY = "publicity", _("公示")
        OBJECTION = "objection", _("公示异议")
        PUBLISHED = "published", _("已发布")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="review_notifications")
    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="notifications", null=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    message = models.TextField()
    link = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("站内通知")
        verbose_name_plural = _("站内通知")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.message
