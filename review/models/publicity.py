"""The public notice (公示) of proposed awards before publication, and objections (异议) to it.

A notice lists a snapshot of each work as it was proposed (title, authors, school, county, proposed
award): a notice is a public document, so later edits do not rewrite it. An item leaves the notice
when an objection to it is upheld (the work goes back to city expert review).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalogue.models import CampaignPage


class Publicity(models.Model):
    campaign = models.ForeignKey(
        CampaignPage, verbose_name=_("征集活动"), on_delete=models.PROTECT, related_name="publicities"
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发起人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    opened_at = models.DateTimeField(_("公示开始"), default=timezone.now)
    days = models.PositiveIntegerField(_("公示天数"))
    ends_at = models.DateTimeField(_("公示结束"))

    class Meta:
        verbose_name = _("公示")
        verbose_name_plural = _("公示")
        ordering = ["-opened_at", "-id"]

    def __str__(self):
        return f"{self.campaign.year} 年拟获奖作品公示（{timezone.localtime(self.opened_at):%Y-%m-%d}）"

    @property
    def is_open(self) -> bool:
        return timezone.now() < self.ends_at

    @property
    def title(self) -> str:
        return f"{self.campaign.title}拟获奖作品公示"


class PublicityItem(models.Model):
    publicity = models.ForeignKey(Publicity, on_delete=models.CASCADE, related_name="items")
    submission = models.ForeignKey("review.Submission", on_delete=models.CASCADE, related_name="publicity_items")
    title = models.CharField(_("作品名称"), max_length=255)
    authors = models.CharField(_("作者"), max_length=500)
    school = models.CharField(_("学校"), max_length=200, blank=True)
    region = models.CharField(_("县（区）"), max_length=100)
    award = models.CharField(_("拟评奖项"), max_length=20, blank=True)
    final_score = models.DecimalField(_("最终得分"), max_digits=5, decimal_places=2, null=True, blank=True)
    removed_at = models.DateTimeField(_("撤出公示时间"), null=True, blank=True)
    removed_reason = models.TextField(_("撤出理由"), blank=True)

    class Meta:
        verbose_name = _("公示作品")
        verbose_name_plural = _("公示作品")
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["publicity", "submission"], name="one_item_per_notice")]

    def __str__(self):
        return self.title

    @property
    def award_label(self) -> str:
        from .submissions import Award

        return Award(self.award).label if self.award else _("入选")


class Objection(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("待处理")
        UPHELD = "upheld", _("异议成立")
        DISMISSED = "dismissed", _("异议不成立")

    item = models.ForeignKey(
        PublicityItem, verbose_name=_("公示作品"), on_delete=models.CASCADE, related_name="objections"
    )
    # Null once the objector's account is erased; the objection itself is part of the campaign record.
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("异议人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="review_objections",
    )
    reason = models.TextField(_("异议理由"))
    created_at = models.DateTimeField(_("提出时间"), default=timezone.now, db_index=True)
    status = models.CharField(_("处理结果"), max_length=20, choices=Status.choices, default=Status.OPEN)
    resolution = models.TextField(_("处理说明"), blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("处理人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    resolved_at = models.DateTimeField(_("处理时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("公示异议")
        verbose_name_plural = _("公示异议")
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.item.title}: {self.get_status_display()}"
