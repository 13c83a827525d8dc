"""荣誉证书: one certificate per awarded, published work of a campaign.

The row keeps what the certificate prints (a snapshot at issue), so the public verification page
shows exactly the printed facts; whether the certificate still holds is read live (the work is
still published with the same award)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Certificate(models.Model):
    number = models.CharField(_("证书编号"), max_length=40, unique=True)
    submission = models.OneToOneField(
        "review.Submission", verbose_name=_("申报"), on_delete=models.CASCADE, related_name="certificate"
    )
    resource = models.ForeignKey(
        "catalogue.ResourcePage", verbose_name=_("资源"), on_delete=models.CASCADE, related_name="certificates"
    )
    title = models.CharField(_("作品名称"), max_length=255)
    authors = models.CharField(_("作者"), max_length=500)
    school_name = models.CharField(_("学校"), max_length=150, blank=True)
    region_name = models.CharField(_("县（区）"), max_length=100, blank=True)
    campaign_title = models.CharField(_("征集活动"), max_length=255)
    award = models.CharField(_("奖项"), max_length=20)
    issuer = models.CharField(_("发证单位"), max_length=100)
    issued_on = models.DateField(_("发证日期"))
    created_at = models.DateTimeField(_("生成时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("荣誉证书")
        verbose_name_plural = _("荣誉证书")
        ordering = ["-issued_on", "-id"]

    def __str__(self):
        return f"{self.number} 《{self.title}》{self.award}"
