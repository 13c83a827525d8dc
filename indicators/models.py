"""Access events (append-only), their daily roll-ups, and the official denominators.

Raw events are the source of truth: every roll-up row and every indicator can be recomputed from
them (`rebuild_rollups`). Foreign keys from events carry no database constraint and never cascade,
so deleting a resource, user, region or school never rewrites history.
"""

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel

from catalogue.models import Region, ResourcePage, Role, School

_history_fk = {"on_delete": models.DO_NOTHING, "db_constraint": False, "related_name": "+"}


class Action(models.TextChoices):
    VIEW = "view", _("浏览")
    DOWNLOAD = "download", _("下载")
    PLAY = "play", _("播放")


class Exclusion(models.TextChoices):
    """Why a raw event was excluded at the moment it was recorded."""

    NONE = "", _("计入")
    ROBOT = "robot", _("机器人/爬虫")
    EDITORIAL = "editorial", _("审核/管理访问")


class ExcludedReason(models.TextChoices):
    """Why events were not counted, as the roll-up reports them: the two reasons known when a hit
    is recorded, and the two only a whole day's hits can tell."""

    ROBOT = "robot", _("机器人/爬虫")
    EDITORIAL = "editorial", _("审核/管理访问")
    DOUBLE_CLICK = "double_click", _("30 秒内重复点击")
    OVERACTIVE = "overactive", _("异常高频访问")


class Source(models.TextChoices):
    LIVE = "live", _("实时记录")
    IMPORT = "import", _("历史导入")


class AccessEvent(models.Model):
    """One hit as it happened. Rows are only ever inserted (and purged after the retention period)."""

    time = models.DateTimeField(_("时间"), db_index=True)
    resource = models.ForeignKey(ResourcePage, verbose_name=_("资源"), **_history_fk)
    file_id = models.BigIntegerField(_("文件"), null=True, blank=True)
    action = models.CharField(_("动作"), max_length=10, choices=Action.choices)
    user = models.ForeignKey("auth.User", verbose_name=_("用户"), null=True, blank=True, **_history_fk)
    # Snapshot of the user's profile at the moment of the hit (empty for anonymous visitors).
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices, blank=True)
    region = models.ForeignKey(Region, verbose_name=_("县（区）"), null=True, blank=True, **_history_fk)
    school = models.ForeignKey(School, verbose_name=_("学校"), null=True, blank=True, **_history_fk)
    # COUNTER identities, all one-way hashes: the session key is a credential, the IP personal data.
    session_hash = models.CharField(_("会话"), max_length=32, blank=True)
    client_key = models.CharField(_("访问者标识"), max_length=40)
    ip_hash = models.CharField(_("IP 摘要"), max_length=32, blank=True)
    user_agent = models.CharField(_("User-Agent"), max_length=400, blank=True)
    exclusion = models.CharField(_("排除原因"), max_length=10, choices=Exclusion.choices, blank=True)
    source = models.CharField(_("来源"), max_length=10, choices=Source.choices, default=Source.LIVE)

    class Meta:
        verbose_name = _("访问记录")
        verbose_name_plural = _("访问记录")
        indexes = [models.Index(fields=["resource", "time"], name="access_resource_time")]

    def __str__(self):
        return f"{self.time:%Y-%m-%d %H:%M:%S} {self.action} #{self.resource_id}"


class AccessSalt(models.Model):
    """A random salt per calendar day for hashing IP addresses; deleted after two days, so old
    hashes cannot be reversed by trying every IPv4 address."""

    day = models.DateField(unique=True)
    salt = models.CharField(max_length=64)

    def __str__(self):
        return str(self.day)


class DailyRollup(models.Model):
    """Counted hits of one resource on one day for one audience (role × region × school).

    `total` is COUNTER's Total_Item_Investigations for the action after robot, editorial and
    double-click filtering; `uniques` the distinct user-sessions for this action;
    `unique_investigations` attributes each user-session × item to the row of its first counted
    action, so summing it over actions gives Unique_Item_Investigations; `unique_requests` does the
    same over the request actions (download, play) only, so its sum is Unique_Item_Requests."""

    day = models.DateField(_("日期"))
    resource = models.ForeignKey(ResourcePage, verbose_name=_("资源"), **_history_fk)
    action = models.CharField(_("动作"), max_length=10, choices=Action.choices)
    role = models.CharField(_("角色"), max_length=20, blank=True)
    region = models.ForeignKey(Region, null=True, blank=True, **_history_fk)
    school = models.ForeignKey(School, null=True, blank=True, **_history_fk)
    total = models.PositiveIntegerField(_("访问量"), default=0)
    uniques = models.PositiveIntegerField(_("独立访问"), default=0)
    unique_investigations = models.PositiveIntegerField(default=0)
    unique_requests = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("日汇总")
        verbose_name_plural = _("日汇总")
        indexes = [
            models.Index(fields=["day", "role"], name="rollup_day_role"),
            models.Index(fields=["resource", "day"], name="rollup_resource_day"),
        ]

    def __str__(self):
        return f"{self.day} {self.action} #{self.resource_id}: {self.total}"


class DailyAudienceRollup(models.Model):
    """DailyRollup summed over resources and actions: one row per day × role × region × school.
    The indicator tables read this (a few thousand rows a day instead of one per resource)."""

    day = models.DateField()
    role = models.CharField(max_length=20, blank=True)
    region = models.ForeignKey(Region, null=True, blank=True, **_history_fk)
    school = models.ForeignKey(School, null=True, blank=True, **_history_fk)
    total = models.PositiveIntegerField(default=0)
    unique_investigations = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["day", "role"], name="audience_day_role")]

    def __str__(self):
        return f"{self.day} {self.role or '-'} {self.school_id or self.region_id}: {self.total}"


class DailyResourceRollup(models.Model):
    """DailyRollup summed over audiences: one row per day × resource × action (counters, top
    resources, themes and resource spikes city-wide)."""

    day = models.DateField()
    resource = models.ForeignKey(ResourcePage, **_history_fk)
    action = models.CharField(max_length=10, choices=Action.choices)
    total = models.PositiveIntegerField(default=0)
    uniques = models.PositiveIntegerField(default=0)
    unique_investigations = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [
            models.Index(fields=["day"], name="resrollup_day"),
            models.Index(fields=["resource", "day"], name="resrollup_resource_day"),
        ]

    def __str__(self):
        return f"{self.day} {self.action} #{self.resource_id}: {self.total}"


class DailyUserActivity(models.Model):
    """A person had at least one counted hit on this day (feeds the active rates). The person is
    the events' client key: `u:<user id>`, or a pseudonym once the user was erased or the raw
    events' retention ended (`p:` / `q:`), so that every active rate stays reproducible."""

    day = models.DateField()
    client_key = models.CharField(max_length=40)
    role = models.CharField(max_length=20, blank=True)
    region = models.ForeignKey(Region, null=True, blank=True, **_history_fk)
    school = models.ForeignKey(School, null=True, blank=True, **_history_fk)

    class Meta:
        indexes = [models.Index(fields=["day", "role"], name="activity_day_role")]

    def __str__(self):
        return f"{self.day} {self.client_key}"


class DailyExclusion(models.Model):
    """How many of one day's events were not counted, and why (per region of the hit's user; no
    region for anonymous visitors and robots). Written by the roll-up beside DailyRollup."""

    day = models.DateField()
    reason = models.CharField(max_length=20, choices=ExcludedReason.choices)
    region = models.ForeignKey(Region, null=True, blank=True, **_history_fk)
    events = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["day"], name="exclusion_day")]

    def __str__(self):
        return f"{self.day} {self.reason}: {self.events}"


class OveractiveClient(models.Model):
    """A client whose counted hits on one day passed an overactive threshold (conf.py): all its
    hits of that day are excluded. The key is the events' client key (`u:<id>` for a user, whom a
    resource admin may want to ask; a daily-salted address hash for an anonymous visitor)."""

    day = models.DateField()
    client_key = models.CharField(max_length=40)
    rule = models.CharField(max_length=30)  # which threshold: items_per_minute | items_per_day | actions_per_day
    observed = models.PositiveIntegerField()  # the value that passed it
    events = models.PositiveIntegerField()  # hits excluded with it
    role = models.CharField(max_length=20, blank=True)
    region = models.ForeignKey(Region, null=True, blank=True, **_history_fk)

    class Meta:
        indexes = [models.Index(fields=["day"], name="overactive_day")]

    def __str__(self):
        return f"{self.day} {self.client_key} {self.rule}={self.observed}"


class RollupState(models.Model):
    """One row (pk=1): when the roll-ups were last brought up to date, when the next scheduled
    refresh is due, and up to which day raw events have been purged."""

    refreshed_at = models.DateTimeField(null=True, blank=True)  # every event recorded before this is counted
    next_run_at = models.DateTimeField(null=True, blank=True)  # the queued run of the worker's refresh chain
    purged_before = models.DateField(null=True, blank=True)  # raw events of earlier days are deleted

    def __str__(self):
        return f"refreshed {self.refreshed_at}"


class RollupDirtyDay(models.Model):
    """A day whose roll-ups must be recomputed because new events arrived for it."""

    day = models.DateField(primary_key=True)

    def __str__(self):
        return str(self.day)


class AccessLogImport(models.Model):
    """One imported log file, by content digest, so the same file cannot be counted twice."""

    digest = models.CharField(max_length=64, unique=True)
    filename = models.CharField(max_length=255)
    rows = models.PositiveIntegerField()
    imported_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return self.filename


class Denominator(models.Model):
    """Official statistics for a year: full-time teachers and enrolled students of a region
    (school empty = the region's total) or of one school. Empty means unknown, never zero."""

    year = models.PositiveIntegerField(_("年度"), validators=[MinValueValidator(2000)])
    region = models.ForeignKey(Region, verbose_name=_("县（区）"), on_delete=models.PROTECT, related_name="+")
    school = models.ForeignKey(
        School,
        verbose_name=_("学校"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("留空表示县（区）合计"),
    )
    teachers = models.PositiveIntegerField(_("专任教师数"), null=True, blank=True)
    students = models.PositiveIntegerField(_("在校学生数"), null=True, blank=True)

    panels = [
        FieldPanel("year"),
        FieldRowPanel([FieldPanel("region"), FieldPanel("school")]),
        FieldRowPanel([FieldPanel("teachers"), FieldPanel("students")]),
    ]

    class Meta:
        verbose_name = _("师生基数")
        verbose_name_plural = _("师生基数")
        ordering = ["-year", "region__sort_order", "school__sort_order"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "region"], condition=models.Q(school__isnull=True), name="denominator_region_year"
            ),
            models.UniqueConstraint(fields=["year", "school"], name="denominator_school_year"),
        ]

    def __str__(self):
        return f"{self.year} {self.school or self.region}"

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.school_id and self.region_id and self.school.region_id != self.region_id:
            raise ValidationError({"school": _("学校不属于所选县（区）。")})
