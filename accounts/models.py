"""Federated identities and the tables that map an identity provider's claims to our regions and
schools. Role, region and school come only from the provider's claims through these tables (or, for
a first sign-in that cannot be mapped, from the short completion form, after which a teacher waits
for the county's confirmation); a value the browser sends is never trusted for them."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel

from catalogue.models import Region, School


class FederatedIdentity(models.Model):
    """One account on the identity provider, linked to the local account it signs in as."""

    provider = models.CharField(_("身份认证平台"), max_length=40)
    subject = models.CharField(_("平台用户标识"), max_length=200)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="federated_identities"
    )
    # Only the claims we map (role, area code, organisations), never tokens or contact details.
    claims = models.JSONField(_("映射用声明"), default=dict, blank=True)
    created_at = models.DateTimeField(_("首次登录"), auto_now_add=True)
    last_login_at = models.DateTimeField(_("最近登录"), null=True, blank=True)

    class Meta:
        verbose_name = _("统一身份认证账号")
        verbose_name_plural = _("统一身份认证账号")
        constraints = [models.UniqueConstraint(fields=["provider", "subject"], name="federated_identity_unique")]

    def __str__(self):
        return f"{self.provider}:{self.subject} → {self.user}"


class RegionMapping(models.Model):
    """An administrative-division code (行政区划代码, e.g. 411728) → our 县（区）."""

    area_code = models.CharField(_("区划代码"), max_length=20, unique=True)
    region = models.ForeignKey(Region, verbose_name=_("县（区）"), on_delete=models.CASCADE, related_name="area_codes")
    note = models.CharField(_("备注"), max_length=100, blank=True)

    panels = [FieldPanel("area_code"), FieldPanel("region"), FieldPanel("note")]

    class Meta:
        verbose_name = _("区划代码映射")
        verbose_name_plural = _("区划代码映射")
        ordering = ["area_code"]

    def __str__(self):
        return f"{self.area_code} → {self.region}"


class SchoolMapping(models.Model):
    """An organisation (学校/机构) as the identity provider names it → our 学校.

    Rows with no school are organisations seen at sign-in that nobody has mapped yet: the resource
    admin picks the school, and every later sign-in from that organisation is mapped."""

    org_id = models.CharField(_("机构标识"), max_length=100, blank=True, db_index=True)
    org_name = models.CharField(_("机构名称"), max_length=200, blank=True, db_index=True)
    school = models.ForeignKey(
        School, verbose_name=_("学校"), null=True, blank=True, on_delete=models.CASCADE, related_name="org_mappings"
    )
    seen_count = models.PositiveIntegerField(_("登录次数"), default=0)
    last_seen_at = models.DateTimeField(_("最近出现"), null=True, blank=True)

    panels = [FieldPanel("org_id"), FieldPanel("org_name"), FieldPanel("school")]

    class Meta:
        verbose_name = _("学校机构映射")
        verbose_name_plural = _("学校机构映射")
        ordering = ["school", "-seen_count"]
        constraints = [
            models.UniqueConstraint(
                fields=["org_id"], condition=~models.Q(org_id=""), name="schoolmapping_unique_org_id"
            ),
        ]

    def __str__(self):
        label = self.org_name or self.org_id
        return f"{label} → {self.school}" if self.school_id else f"{label}（{_('未映射')}）"
