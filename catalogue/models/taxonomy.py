"""The campaign's taxonomy as editable data (Wagtail snippets).

Themes and topics are rows, not code: a later campaign adds topics in the admin without a deploy.
Initial rows come from the data migration `0002_initial_taxonomy`.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.search import index


class SortedNamed(models.Model):
    name = models.CharField(_("名称"), max_length=100)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)

    class Meta:
        abstract = True
        ordering = ["sort_order", "id"]

    def __str__(self):
        return self.name


class Theme(index.Indexed, SortedNamed):
    slug = models.SlugField(_("网址别名"), max_length=80, unique=True, allow_unicode=False)
    description = models.TextField(_("简介"), blank=True)

    panels = [FieldPanel("name"), FieldPanel("slug"), FieldPanel("description"), FieldPanel("sort_order")]
    search_fields = [index.SearchField("name"), index.AutocompleteField("name")]

    class Meta(SortedNamed.Meta):
        verbose_name = _("主题")
        verbose_name_plural = _("主题")
        constraints = [models.UniqueConstraint(fields=["name"], name="theme_unique_name")]


class Topic(index.Indexed, SortedNamed):
    theme = models.ForeignKey(Theme, verbose_name=_("所属主题"), on_delete=models.PROTECT, related_name="topics")
    slug = models.SlugField(_("网址别名"), max_length=80, unique=True)
    description = models.TextField(_("简介"), blank=True)
    place = models.CharField(_("所在地"), max_length=100, blank=True)

    panels = [
        FieldPanel("theme"),
        FieldPanel("name"),
        FieldPanel("slug"),
        FieldPanel("place"),
        FieldPanel("description"),
        FieldPanel("sort_order"),
    ]
    search_fields = [index.SearchField("name"), index.AutocompleteField("name")]

    class Meta(SortedNamed.Meta):
        verbose_name = _("专题")
        verbose_name_plural = _("专题")
        constraints = [models.UniqueConstraint(fields=["name"], name="topic_unique_name")]


class Subject(SortedNamed):
    panels = [FieldPanel("name"), FieldPanel("sort_order")]

    class Meta(SortedNamed.Meta):
        verbose_name = _("学科")
        verbose_name_plural = _("学科")
        constraints = [models.UniqueConstraint(fields=["name"], name="subject_unique_name")]


class Stage(SortedNamed):
    code = models.SlugField(_("代码"), max_length=20, unique=True)

    panels = [FieldPanel("name"), FieldPanel("code"), FieldPanel("sort_order")]

    class Meta(SortedNamed.Meta):
        verbose_name = _("学段")
        verbose_name_plural = _("学段")
        constraints = [models.UniqueConstraint(fields=["name"], name="stage_unique_name")]


class Grade(SortedNamed):
    stage = models.ForeignKey(Stage, verbose_name=_("学段"), on_delete=models.PROTECT, related_name="grades")

    panels = [FieldPanel("stage"), FieldPanel("name"), FieldPanel("sort_order")]

    class Meta(SortedNamed.Meta):
        verbose_name = _("年级")
        verbose_name_plural = _("年级")
        constraints = [models.UniqueConstraint(fields=["name"], name="grade_unique_name")]


class ResourceType(SortedNamed):
    code = models.SlugField(_("代码"), max_length=20, unique=True)

    panels = [FieldPanel("name"), FieldPanel("code"), FieldPanel("sort_order")]

    class Meta(SortedNamed.Meta):
        verbose_name = _("资源类型")
        verbose_name_plural = _("资源类型")
        constraints = [models.UniqueConstraint(fields=["name"], name="resourcetype_unique_name")]


class Region(SortedNamed):
    class Kind(models.TextChoices):
        DISTRICT = "district", _("市辖区")
        COUNTY = "county", _("县")
        ZONE = "zone", _("功能区")
        CITY = "city", _("市直")

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    kind = models.CharField(_("类别"), max_length=20, choices=Kind.choices, default=Kind.COUNTY)

    panels = [FieldPanel("name"), FieldPanel("code"), FieldPanel("kind"), FieldPanel("sort_order")]

    class Meta(SortedNamed.Meta):
        verbose_name = _("县（区）")
        verbose_name_plural = _("县（区）")
        constraints = [models.UniqueConstraint(fields=["name"], name="region_unique_name")]


class School(SortedNamed):
    region = models.ForeignKey(Region, verbose_name=_("所属县（区）"), on_delete=models.PROTECT, related_name="schools")
    name = models.CharField(_("学校名称"), max_length=150)
    stage_hint = models.CharField(_("办学层次"), max_length=40, blank=True)

    panels = [FieldPanel("region"), FieldPanel("name"), FieldPanel("stage_hint"), FieldPanel("sort_order")]

    class Meta(SortedNamed.Meta):
        verbose_name = _("学校")
        verbose_name_plural = _("学校")
        ordering = ["region__sort_order", "sort_order", "id"]
        constraints = [models.UniqueConstraint(fields=["region", "name"], name="school_unique_per_region")]
