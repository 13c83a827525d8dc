"""Interconnection with the provincial and national platforms: what this app stores.

- `OaiRecord`: the OAI-PMH record state of every resource that was ever public (its datestamp, its
  sets, and whether it is now a tombstone). Live metadata is always read from the resource itself.
- `SushiConsumer`: a COUNTER_SUSHI harvester with its API key (stored hashed) and the customers it
  may read.
- `PushDelivery`: one month's figures of one county or school sent to the upstream endpoint.
"""

import uuid

from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel

from catalogue.models import Region, School


class OaiRecord(models.Model):
    """The OAI-PMH state of one resource. Rows are created when a resource becomes public and never
    deleted (persistent deletion policy): when the resource is unpublished, deleted or leaves the
    public tree the row becomes a tombstone with a new datestamp."""

    resource_id = models.BigIntegerField(unique=True)
    datestamp = models.DateTimeField(db_index=True)
    deleted = models.BooleanField(default=False)
    # " theme:red-culture topic:zhugou-base year:2026 " — kept from the last public state, so a
    # tombstone stays in the sets a harvester asked for.
    sets = models.CharField(max_length=400, blank=True)

    class Meta:
        indexes = [models.Index(fields=["datestamp", "resource_id"], name="oai_datestamp_id")]

    def __str__(self):
        return f"resource/{self.resource_id}{' (deleted)' if self.deleted else ''}"

    @property
    def set_specs(self) -> list[str]:
        return self.sets.split()


class SushiConsumer(models.Model):
    """Who may harvest COUNTER reports, with which key, for which customers. The key is shown once
    when it is made; only its SHA-256 digest is kept."""

    name = models.CharField(_("使用单位"), max_length=100)
    contact = models.CharField(_("联系人与电话"), max_length=200, blank=True)
    whole_city = models.BooleanField(
        _("全市（联盟）"), default=False, help_text=_("可读取全市及所有县（区）、学校的报告。")
    )
    regions = models.ManyToManyField(
        Region,
        verbose_name=_("县（区）"),
        blank=True,
        related_name="+",
        help_text=_("可读取所选县（区）及其学校的报告。"),
    )
    schools = models.ManyToManyField(School, verbose_name=_("学校"), blank=True, related_name="+")
    is_active = models.BooleanField(_("启用"), default=True)
    key_prefix = models.CharField(_("密钥前缀"), max_length=8, editable=False, blank=True)
    key_digest = models.CharField(max_length=64, unique=True, editable=False, null=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True, editable=False)

    panels = [
        MultiFieldPanel([FieldPanel("name"), FieldPanel("contact"), FieldPanel("is_active")], heading=_("使用单位")),
        MultiFieldPanel(
            [
                FieldPanel("whole_city"),
                FieldPanel("regions", widget=forms.CheckboxSelectMultiple),
                FieldPanel("schools"),
            ],
            heading=_("可读取的范围"),
        ),
    ]

    class Meta:
        verbose_name = _("COUNTER 接口用户")
        verbose_name_plural = _("COUNTER 接口用户")
        ordering = ["name"]

    def __str__(self):
        return self.name


class PushStatus(models.TextChoices):
    PENDING = "pending", _("待发送")
    RETRYING = "retrying", _("重试中")
    SENT = "sent", _("已送达")
    FAILED = "failed", _("发送失败")


class PushDelivery(models.Model):
    """One month's figures of one county or school for the upstream endpoint. The body is fixed when
    the delivery is made, so every attempt (and a resend) carries the same bytes and the same
    delivery id, on which the receiver deduplicates."""

    class Unit(models.TextChoices):
        COUNTY = "county", _("县（区）")
        SCHOOL = "school", _("学校")

    delivery_id = models.UUIDField(_("投递编号"), default=uuid.uuid4, unique=True, editable=False)
    month = models.DateField(_("月份"))
    unit_kind = models.CharField(_("单位类别"), max_length=10, choices=Unit.choices)
    region = models.ForeignKey(Region, verbose_name=_("县（区）"), on_delete=models.PROTECT, related_name="+")
    school = models.ForeignKey(
        School, verbose_name=_("学校"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    body = models.TextField(_("报文"))
    status = models.CharField(_("状态"), max_length=10, choices=PushStatus.choices, default=PushStatus.PENDING)
    attempts = models.PositiveIntegerField(_("尝试次数"), default=0)
    last_error = models.TextField(_("最近错误"), blank=True)
    last_attempt_at = models.DateTimeField(_("最近尝试"), null=True, blank=True)
    next_attempt_at = models.DateTimeField(_("下次尝试"), null=True, blank=True)
    sent_at = models.DateTimeField(_("送达时间"), null=True, blank=True)
    response_status = models.PositiveIntegerField(_("对方响应码"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("月度数据上报")
        verbose_name_plural = _("月度数据上报")
        ordering = ["-month", "unit_kind", "region__sort_order", "school__sort_order"]
        constraints = [
            models.UniqueConstraint(
                fields=["month", "region"], condition=models.Q(school__isnull=True), name="push_once_per_county_month"
            ),
            models.UniqueConstraint(fields=["month", "school"], name="push_once_per_school_month"),
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="push_due")]

    def __str__(self):
        return f"{self.month:%Y-%m} {self.school or self.region}"

    @property
    def unit_name(self) -> str:
        return self.school.name if self.school_id else self.region.name

    @property
    def label(self) -> str:
        return f"{self.month:%Y-%m} {self.unit_name}"

    label.fget.short_description = _("上报")
