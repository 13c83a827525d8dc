"""The quality standard (质量标准): versioned rubric plus technical requirements, and a campaign's binding.

A version is never edited in place: saving it in the admin creates the next version (see
`services.quality_standard_new_version`), so the scores of a campaign bound to an older version
never change. Scores point at `Criterion` rows with PROTECT, which makes that invariant physical.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.models import Orderable

from catalogue.models import CampaignPage

TOTAL_POINTS = 100


class QualityStandardForm(WagtailAdminModelForm):
    """The weights of the criteria must total 100 points, and there must be at least one veto item."""

    def is_valid(self):
        valid = super().is_valid()
        if not valid:
            return False
        criteria = [
            form.cleaned_data
            for form in self.formsets["criteria"].forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        total = sum(int(c.get("max_points") or 0) for c in criteria)
        if total != TOTAL_POINTS:
            self.add_error(None, _("各评分项分值合计为 %(total)s 分，应为 100 分。") % {"total": total})
            return False
        if self.cleaned_data["excellence_mark"] <= self.cleaned_data["pass_mark"]:
            self.add_error("excellence_mark", _("优秀线应高于合格线。"))
            return False
        return True


class QualityStandard(ClusterableModel):
    name = models.CharField(_("标准名称"), max_length=100, default="驻马店市中小学特色数字资源质量标准")
    version = models.PositiveIntegerField(_("版本号"), unique=True, editable=False)
    notes = models.TextField(_("修订说明"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    pass_mark = models.PositiveIntegerField(_("合格线"), default=60, validators=[MaxValueValidator(100)])
    excellence_mark = models.PositiveIntegerField(_("优秀线"), default=85, validators=[MaxValueValidator(100)])
    third_expert_gap = models.DecimalField(
        _("启用第三位专家的分差"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("15"),
        help_text=_("两位专家总分相差超过此分值时，自动增派第三位专家，取最接近的两个分数的平均分。"),
    )
    # Technical requirements, per kind of file (checked at submit time with ffprobe / Pillow / sniffing).
    video_containers = models.CharField(_("视频格式"), max_length=100, default="mp4")
    video_codecs = models.CharField(_("视频编码"), max_length=100, default="h264")
    video_audio_codecs = models.CharField(_("视频音频编码"), max_length=100, default="aac")
    video_min_width = models.PositiveIntegerField(_("视频最小宽度（像素）"), default=1280)
    video_min_height = models.PositiveIntegerField(_("视频最小高度（像素）"), default=720)
    video_min_fps = models.DecimalField(_("视频最低帧率"), max_digits=5, decimal_places=2, default=Decimal("25"))
    video_min_minutes = models.DecimalField(
        _("视频最短时长（分钟）"), max_digits=6, decimal_places=2, default=Decimal("5")
    )
    video_max_minutes = models.DecimalField(
        _("视频最长时长（分钟）"), max_digits=6, decimal_places=2, default=Decimal("20")
    )
    video_max_mb = models.PositiveIntegerField(_("视频最大体积（MB）"), default=1024)
    audio_codecs = models.CharField(_("音频编码"), max_length=100, default="mp3,aac")
    audio_min_kbps = models.PositiveIntegerField(_("音频最低码率（kbps）"), default=128)
    courseware_formats = models.CharField(_("课件格式"), max_length=100, default="pptx,pdf")
    design_formats = models.CharField(_("教学设计/学案格式"), max_length=100, default="docx,pdf")
    document_max_mb = models.PositiveIntegerField(_("文档最大体积（MB）"), default=100)
    cover_min_width = models.PositiveIntegerField(_("封面最小宽度（像素）"), default=800)
    cover_min_height = models.PositiveIntegerField(_("封面最小高度（像素）"), default=450)

    base_form_class = QualityStandardForm
    panels = [
        FieldRowPanel([FieldPanel("name"), FieldPanel("notes")]),
        FieldRowPanel([FieldPanel("pass_mark"), FieldPanel("excellence_mark"), FieldPanel("third_expert_gap")]),
        InlinePanel("veto_items", heading=_("一票否决项"), label=_("否决项"), min_num=1),
        InlinePanel("criteria", heading=_("评分项（合计 100 分）"), label=_("评分项"), min_num=1),
        MultiFieldPanel(
            [
                FieldRowPanel(
                    [FieldPanel("video_containers"), FieldPanel("video_codecs"), FieldPanel("video_audio_codecs")]
                ),
                FieldRowPanel(
                    [FieldPanel("video_min_width"), FieldPanel("video_min_height"), FieldPanel("video_min_fps")]
                ),
                FieldRowPanel(
                    [FieldPanel("video_min_minutes"), FieldPanel("video_max_minutes"), FieldPanel("video_max_mb")]
                ),
                FieldRowPanel([FieldPanel("audio_codecs"), FieldPanel("audio_min_kbps")]),
                FieldRowPanel(
                    [FieldPanel("courseware_formats"), FieldPanel("design_formats"), FieldPanel("document_max_mb")]
                ),
                FieldRowPanel([FieldPanel("cover_min_width"), FieldPanel("cover_min_height")]),
            ],
            heading=_("技术要求"),
        ),
    ]

    class Meta:
        verbose_name = _("质量标准")
        verbose_name_plural = _("质量标准")
        ordering = ["-version"]

    def __str__(self):
        return f"{self.name}（第 {self.version} 版）"

    @staticmethod
    def split(value: str) -> list[str]:
        return [v.strip().lower() for v in value.replace("，", ",").split(",") if v.strip()]

    @classmethod
    def current(cls):
        return cls.objects.order_by("-version").first()


class Criterion(Orderable):
    standard = ParentalKey(QualityStandard, on_delete=models.CASCADE, related_name="criteria")
    name = models.CharField(_("评分项"), max_length=60)
    max_points = models.PositiveIntegerField(_("分值"), validators=[MinValueValidator(1), MaxValueValidator(100)])
    description = models.TextField(_("评分说明"), help_text=_("评审专家打分时看到的说明"))

    panels = [FieldRowPanel([FieldPanel("name"), FieldPanel("max_points")]), FieldPanel("description")]

    class Meta(Orderable.Meta):
        verbose_name = _("评分项")
        verbose_name_plural = _("评分项")

    def __str__(self):
        return f"{self.name}（{self.max_points} 分）"


class VetoItem(Orderable):
    standard = ParentalKey(QualityStandard, on_delete=models.CASCADE, related_name="veto_items")
    name = models.CharField(_("否决项"), max_length=60)
    description = models.TextField(_("说明"), blank=True)

    panels = [FieldPanel("name"), FieldPanel("description")]

    class Meta(Orderable.Meta):
        verbose_name = _("一票否决项")
        verbose_name_plural = _("一票否决项")

    def __str__(self):
        return self.name


class CampaignReview(models.Model):
    """The review settings of one campaign (a catalogue CampaignPage): its standard version and award lines."""

    campaign = models.OneToOneField(
        CampaignPage, verbose_name=_("征集活动"), on_delete=models.CASCADE, related_name="review_settings"
    )
    standard = models.ForeignKey(
        QualityStandard, verbose_name=_("执行的质量标准"), on_delete=models.PROTECT, related_name="campaigns"
    )
    first_prize_min = models.DecimalField(_("一等奖分数线"), max_digits=5, decimal_places=2, default=Decimal("92"))
    second_prize_min = models.DecimalField(_("二等奖分数线"), max_digits=5, decimal_places=2, default=Decimal("85"))
    third_prize_min = models.DecimalField(_("三等奖分数线"), max_digits=5, decimal_places=2, default=Decimal("75"))
    merit_min = models.DecimalField(_("优秀奖分数线"), max_digits=5, decimal_places=2, default=Decimal("60"))
    publicity_days = models.PositiveIntegerField(
        _("公示天数"),
        default=7,
        validators=[MinValueValidator(1), MaxValueValidator(30)],
        help_text=_("发布前公示拟获奖作品的天数；发起公示时可以调整。"),
    )

    panels = [
        FieldPanel("campaign"),
        FieldPanel("standard"),
        FieldRowPanel(
            [
                FieldPanel("first_prize_min"),
                FieldPanel("second_prize_min"),
                FieldPanel("third_prize_min"),
                FieldPanel("merit_min"),
            ],
            heading=_("奖项分数线"),
        ),
        FieldPanel("publicity_days"),
    ]

    class Meta:
        verbose_name = _("征集评审设置")
        verbose_name_plural = _("征集评审设置")

    def __str__(self):
        return f"{self.campaign.year} 年 · {self.standard}"

    def clean(self):
        if not (self.first_prize_min >= self.second_prize_min >= self.third_prize_min >= self.merit_min):
            raise ValidationError(_("奖项分数线应从一等奖到优秀依次降低。"))
        if self.pk:
            previous = CampaignReview.objects.get(pk=self.pk)
            if previous.standard_id != self.standard_id and previous.has_scores():
                raise ValidationError({"standard": _("本次征集已有专家评分，不能更换质量标准。")})

    def has_scores(self) -> bool:
        from .workflow import ExpertReview

        return ExpertReview.objects.filter(submission__campaign=self.campaign, submitted_at__isnull=False).exists()

    def award_for(self, score) -> str:
        from .submissions import Award

        if score is None:
            return ""
        for minimum, award in (
            (self.first_prize_min, Award.FIRST),
            (self.second_prize_min, Award.SECOND),
            (self.third_prize_min, Award.THIRD),
            (self.merit_min, Award.MERIT),
        ):
            if score >= minimum:
                return award
        return ""
