"""Forms of the review desk and the teacher's submission form (plain Django forms, Chinese labels)."""

import uuid

from django import forms
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from catalogue.models import Grade, Region, ResourcePage, ResourceType, Stage, Subject, Theme, Topic
from ops import uploads

from . import checks
from .models import Award
from .models import Stage as SubmissionStage


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


class DataOptionsMixin:
    """Options carrying `data-<name>` from an attribute of their object, so the page can narrow one
    list by another (专题 by 主题, 年级 by 学段)."""

    def __init__(self, *args, data_attrs: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.data_attrs = data_attrs

    def create_option(self, name, value, *args, **kwargs):
        option = super().create_option(name, value, *args, **kwargs)
        instance = getattr(value, "instance", None)
        if instance is not None:
            for key, attr in self.data_attrs.items():
                option["attrs"][f"data-{key}"] = getattr(instance, attr)
        return option


class DataSelect(DataOptionsMixin, forms.Select):
    pass


class DataCheckboxes(DataOptionsMixin, forms.CheckboxSelectMultiple):
    pass


def _formats(names) -> str:
    return "/".join(n.upper() for n in names)


def file_rules(standard) -> dict:
    """What each resource type asks of its files, in the teacher's words, from the standard in force
    (the same fields review.checks judges), and the extensions the browser checks before sending."""
    size = lambda klass: filesizeformat(uploads.size_limit(klass)).replace("\xa0", " ")  # noqa: E731
    minutes = f"{standard.video_min_minutes.normalize():f}–{standard.video_max_minutes.normalize():f}"
    video = gettext(
        "MP4 格式（%(codec)s 视频编码、%(audio)s 声音），画面不低于 %(w)d×%(h)d，每秒 %(fps)s 帧以上，"
        "时长 %(minutes)s 分钟，不超过 %(mb)d MB。手机录的视频一般可以直接上传。"
    ) % {
        "codec": "/".join(checks._codec(c) for c in standard.split(standard.video_codecs)),
        "audio": "/".join(checks._codec(c) for c in standard.split(standard.video_audio_codecs)),
        "w": standard.video_min_width,
        "h": standard.video_min_height,
        "fps": f"{standard.video_min_fps.normalize():f}",
        "minutes": minutes,
        "mb": standard.video_max_mb,
    }
    audio_formats = checks.audio_kinds(standard)
    audio = gettext("%(f)s 格式，码率不低于 %(k)d kbps，不超过 %(max)s。") % {
        "f": _formats(audio_formats),
        "k": standard.audio_min_kbps,
        "max": size("audio"),
    }

    def document(code):
        formats = checks.document_formats(standard, code, "document")
        return formats, gettext("%(f)s 格式，不超过 %(mb)d MB。") % {
            "f": _formats(formats),
            "mb": standard.document_max_mb,
        }

    extensions = lambda kinds: sorted({e for k in kinds if k in uploads.KINDS for e in uploads.KINDS[k].extensions})  # noqa: E731
    types = {
        "video": {"needs": "main", "rule": video, "extensions": extensions(standard.split(standard.video_containers))},
        "audio": {"needs": "main", "rule": audio, "extensions": extensions(audio_formats)},
        "gallery": {
            "needs": "gallery",
            "rule": gettext("不用上传作品文件：请在“图集图片”中选择图片（一次最多 %(n)d 张）。")
            % {"n": checks.GALLERY_MAX_IMAGES},
            "extensions": [],
        },
        "link": {
            "needs": "link",
            "rule": gettext("不用上传作品文件：请在“外部链接”中填写展馆的网址（以 https:// 开头）。"),
            "extensions": [],
        },
    }
    for code in ("courseware", "design", "worksheet"):
        formats, rule = document(code)
        pdf_docs = {"doc": "ole", "ppt": "ole", "xls": "ole"}
        types[code] = {
            "needs": "main",
            "rule": rule,
            "extensions": extensions({pdf_docs.get(f, f) for f in formats}),
        }
    return {
        "types": types,
        "cover": gettext("JPG/PNG/WebP 图片，不小于 %(w)d×%(h)d，建议横版 16:9，不超过 %(max)s。")
        % {"w": standard.cover_min_width, "h": standard.cover_min_height, "max": size("image")},
        "cover_extensions": extensions(checks.COVER_KINDS),
        "extra_extensions": extensions(uploads.DOCUMENT_KINDS),
        "gallery_extensions": extensions(uploads.IMAGE_KINDS),
        "gallery_max": checks.GALLERY_MAX_IMAGES,
    }


class SubmissionForm(forms.Form):
    title = forms.CharField(label=_("作品名称"), max_length=120)
    resource_type = forms.ModelChoiceField(
        label=_("资源类型"),
        queryset=ResourceType.objects.all(),
        empty_label=_("请选择"),
        help_text=_("选好类型后，下面的“作品文件”旁会显示这一类作品的文件要求。"),
        widget=DataSelect(data_attrs={"code": "code"}),
    )
    theme = forms.ModelChoiceField(label=_("主题"), queryset=Theme.objects.all(), empty_label=_("请选择"))
    topic = forms.ModelChoiceField(
        label=_("专题"),
        queryset=Topic.objects.select_related("theme"),
        required=False,
        empty_label=_("（可不选）"),
        widget=DataSelect(data_attrs={"theme": "theme_id"}),
        help_text=_("列表只显示所选主题下的专题。"),
    )
    subjects = forms.ModelMultipleChoiceField(
        label=_("学科"), queryset=Subject.objects.all(), widget=forms.CheckboxSelectMultiple
    )
    stage = forms.ModelChoiceField(label=_("学段"), queryset=Stage.objects.all(), empty_label=_("请选择"))
    grades = forms.ModelMultipleChoiceField(
        label=_("适用年级"),
        queryset=Grade.objects.select_related("stage"),
        widget=DataCheckboxes(data_attrs={"stage": "stage_id"}),
        required=False,
    )
    description = forms.CharField(
        label=_("作品简介"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=3000,
        help_text=_("说明教学目标、内容和使用方法，300 字左右。"),
    )
    authors = forms.CharField(label=_("作者"), max_length=200, help_text=_("多位作者用顿号分隔"))
    co_authors = forms.CharField(label=_("合作者"), max_length=300, required=False)
    main_file = forms.FileField(
        label=_("作品文件"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".mp4,.mp3,.m4a,.aac,.pdf,.pptx,.docx,.ppt,.doc,.xlsx"}),
        help_text=_(
            "微课：MP4（H.264+AAC，不低于 1280×720，5–20 分钟，不超过 1 GB）；课件：PPTX/PDF；教学设计、学案：DOCX/PDF；音频：MP3/AAC。"
        ),
    )
    extra_file = forms.FileField(
        label=_("配套材料（可选）"),
        required=False,
        help_text=_("如教学设计、学习单（DOCX/PDF/PPTX）"),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.docx,.pptx,.xlsx,.doc,.ppt"}),
    )
    gallery = MultipleFileField(
        label=_("图集图片（图片图集类作品）"),
        required=False,
        help_text=_("JPG/PNG/WebP/GIF，可一次选择多张（最多 50 张），每张不超过 20 MB"),
        widget=MultipleFileInput(attrs={"accept": ".jpg,.jpeg,.png,.webp,.gif"}),
    )
    external_url = forms.URLField(
        label=_("外部链接（虚拟展馆类作品）"), required=False, max_length=500, assume_scheme="https"
    )
    cover = forms.FileField(
        label=_("封面图"),
        required=False,
        help_text=_("JPG/PNG，不小于 800×450，建议 16:9"),
        widget=forms.ClearableFileInput(attrs={"accept": ".jpg,.jpeg,.png,.webp"}),
    )
    licence = forms.ChoiceField(
        label=_("授权方式"),
        choices=[
            (ResourcePage.Licence.PLATFORM, ResourcePage.Licence.PLATFORM.label),
            (ResourcePage.Licence.CC_BY_NC, ResourcePage.Licence.CC_BY_NC.label),
        ],
    )
    licence_confirmed = forms.BooleanField(
        label=_("本人承诺：作品为原创或已获授权，不侵犯他人著作权，不含广告。"), required=False
    )
    # Makes saving idempotent: a retried POST of a new draft updates the draft it created.
    form_token = forms.UUIDField(widget=forms.HiddenInput, required=False)
    # A main file sent in chunks (review.services.resumable): the id of the finished upload, set by
    # the page's script instead of sending the file in this request.
    main_file_upload = forms.UUIDField(widget=forms.HiddenInput, required=False)

    # What to do when a required field is empty (shown beside it, the same words the page's script uses).
    REQUIRED = {
        "title": _("请填写作品名称（120 字以内）。"),
        "resource_type": _("请选择资源类型，例如“微课视频”。"),
        "theme": _("请选择作品所属的主题。"),
        "subjects": _("请至少勾选一个学科。"),
        "stage": _("请选择学段（小学、初中或高中）。"),
        "description": _("请填写作品简介：教学目标、内容和使用方法，300 字左右。"),
        "authors": _("请填写作者姓名，多位作者用顿号分隔。"),
        "licence": _("请选择授权方式。"),
    }

    def __init__(
        self, *args, refused: dict | None = None, rules: dict | None = None, resumed=None, resumed_error="", **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.refused = refused or {}
        self.resumed = resumed  # the claimed resumable upload of the main file (services.resumable)
        self.resumed_error = resumed_error
        for name, message in self.REQUIRED.items():
            self.fields[name].error_messages["required"] = message
        self.fields["title"].error_messages["max_length"] = _("作品名称最多 120 字，请删短一些。")
        self.fields["description"].error_messages["max_length"] = _("作品简介最多 3000 字，请删短一些。")
        self.fields["external_url"].error_messages["invalid"] = _(
            "请填写完整的网址，例如 https://www.example.com/zhanguan/。"
        )
        if rules:
            self._show_rules(rules)
        if not self.is_bound:
            self.initial.setdefault("form_token", uuid.uuid4())
        for name in checks.FIELDS:
            limit = uploads.stream_limit(checks.field_kinds(name))
            self.fields[name].widget.attrs.update(
                {"data-max-bytes": limit, "data-max-text": filesizeformat(limit).replace("\xa0", " ")}
            )

    def _show_rules(self, rules):
        """The file rules of the standard in force beside the file fields (the chosen type's, when known)."""
        self.fields["cover"].help_text = rules["cover"]
        chosen = self.data.get("resource_type") if self.is_bound else self.initial.get("resource_type")
        resource_type = ResourceType.objects.filter(pk=chosen).first() if str(chosen or "").isdigit() else None
        rule = rules["types"].get(resource_type.code) if resource_type else None
        if rule:
            self.fields["main_file"].help_text = f"{resource_type.name}：{rule['rule']}"

    def clean(self):
        data = super().clean()
        theme, topic = data.get("theme"), data.get("topic")
        if theme and topic and topic.theme_id != theme.pk:
            self.add_error("topic", _("所选专题不属于“%(t)s”主题，请在专题列表中重新选择。") % {"t": theme.name})
        stage = data.get("stage")
        if stage and any(g.stage_id != stage.pk for g in data.get("grades") or []):
            self.add_error("grades", _("所选年级与学段不一致，请只勾选所选学段的年级。"))
        self._clean_uploads(data)
        return data

    def _clean_uploads(self, data):
        """Files refused while they streamed in, then every rule of ops.uploads on the accepted ones
        (with the resource type known now): each problem beside its field, nothing stored yet."""
        for name, messages in self.refused.items():
            for message in messages:
                self.add_error(name if name in self.fields else None, message)
        if self.resumed_error:
            self.add_error("main_file", self.resumed_error)
        elif self.resumed is not None and not data.get("main_file"):
            data["main_file"] = self.resumed  # inspected below like a file sent with the form
        resource_type = data.get("resource_type")
        code = resource_type.code if resource_type else None
        for name in checks.FIELDS:
            if name in self.refused:
                continue
            value = data.get(name)
            files = [f for f in (value if isinstance(value, list) else [value]) if f]
            if not files:
                continue
            kinds = checks.field_kinds(name, code)
            if not kinds:
                self.add_error(name, self._not_for_type(name, resource_type))
                continue
            if name == "gallery" and len(files) > checks.GALLERY_MAX_IMAGES:
                self.add_error(name, gettext("图集最多 %(n)d 张图片。") % {"n": checks.GALLERY_MAX_IMAGES})
                continue
            for upload in files:
                try:
                    upload.inspection = uploads.inspect_upload(upload, accept=kinds)
                except ValidationError as error:
                    self.add_error(name, error)

    @staticmethod
    def _not_for_type(name, resource_type) -> str:
        if name == "gallery":
            return gettext("只有“图片图集”类作品可以上传图集图片；请把资源类型改为“图片图集”，或不选图集图片。")
        return gettext("“%(t)s”类作品不需要上传作品文件：图集请用“图集图片”上传，虚拟展馆请填写外部链接。") % {
            "t": resource_type.name
        }

    def uploads(self) -> dict:
        """The cleaned uploads by field, the gallery as a list (what submission_save takes)."""
        return {name: self.cleaned_data.get(name) for name in checks.FIELDS if self.cleaned_data.get(name)}

    @classmethod
    def initial_from(cls, page) -> dict:
        from django.utils.html import strip_tags

        return {
            "title": page.title,
            "resource_type": page.resource_type_id,
            "theme": page.theme_id,
            "topic": page.topic_id,
            "subjects": list(page.subjects.all()),
            "stage": page.stage_id,
            "grades": list(page.grades.all()),
            "description": strip_tags(page.description.replace("</p>", "\n")).strip(),
            "authors": page.authors,
            "co_authors": page.co_authors,
            "external_url": page.external_url,
            "licence": page.licence,
            "licence_confirmed": page.licence_confirmed,
        }


class CountyDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("初审意见"),
        choices=[("approve", _("通过，进入市级评审")), ("reject", _("退回修改")), ("decline", _("不予通过"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("意见/理由"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("退回修改或不予通过时必填，教师能看到。"),
    )


class ExpertScoreForm(forms.Form):
    """Built from the campaign's standard: one score (and note) per criterion, a checkbox per veto item."""

    comment = forms.CharField(
        label=_("总体评语"), widget=forms.Textarea(attrs={"rows": 3}), help_text=_("教师能看到评语，但看不到您的姓名。")
    )

    def __init__(self, *args, standard, **kwargs):
        super().__init__(*args, **kwargs)
        self.standard = standard
        self.criteria = list(standard.criteria.all())
        self.fields["vetoes"] = forms.ModelMultipleChoiceField(
            label=_("一票否决项（如有，请勾选）"),
            queryset=standard.veto_items.all(),
            widget=forms.CheckboxSelectMultiple,
            required=False,
        )
        for criterion in self.criteria:
            self.fields[f"score_{criterion.pk}"] = forms.DecimalField(
                label=f"{criterion.name}（{criterion.max_points} 分）",
                min_value=0,
                max_value=criterion.max_points,
                decimal_places=1,
                help_text=criterion.description,
                widget=forms.NumberInput(
                    attrs={"step": "0.5", "class": "score-input", "data-max": criterion.max_points}
                ),
            )
            self.fields[f"note_{criterion.pk}"] = forms.CharField(
                label=_("说明"),
                required=False,
                max_length=500,
                widget=forms.TextInput(attrs={"placeholder": _("扣分说明（可选）")}),
            )

    def rows(self):
        return [(c, self[f"score_{c.pk}"], self[f"note_{c.pk}"]) for c in self.criteria]

    def scores(self) -> dict:
        return {
            c.pk: (self.cleaned_data[f"score_{c.pk}"], self.cleaned_data.get(f"note_{c.pk}", "")) for c in self.criteria
        }


class ExpertReturnForm(forms.Form):
    reason = forms.CharField(label=_("退回修改的理由"), widget=forms.Textarea(attrs={"rows": 3}))


class RankingFilterForm(forms.Form):
    theme = forms.ModelChoiceField(label=_("主题"), queryset=Theme.objects.all(), required=False, empty_label=_("全部"))
    subject = forms.ModelChoiceField(
        label=_("学科"), queryset=Subject.objects.all(), required=False, empty_label=_("全部")
    )
    region = forms.ModelChoiceField(
        label=_("县（区）"), queryset=Region.objects.all(), required=False, empty_label=_("全部")
    )
    status = forms.ChoiceField(
        label=_("状态"),
        choices=[("", _("全部"))] + [c for c in SubmissionStage.choices if c[0] != SubmissionStage.DRAFT],
        required=False,
    )


AWARD_CHOICES = [("", _("（无）"))] + list(Award.choices)


class ObjectionForm(forms.Form):
    """One form for an objection (异议) to a work in a public notice."""

    item = forms.ModelChoiceField(label=_("对哪件作品提出异议"), queryset=None, empty_label=_("请选择"))
    reason = forms.CharField(
        label=_("异议的事实和理由"),
        widget=forms.Textarea(attrs={"rows": 6}),
        min_length=10,
        max_length=1000,
        help_text=_("10–1000 字。请写明具体事实（如抄袭的出处、侵权素材、科学性错误的位置），便于核实。"),
    )

    def __init__(self, *args, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = items
        self.fields["item"].label_from_instance = lambda item: f"{item.title}（{item.authors}）"


class ObjectionResolveForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("处理结果"),
        choices=[("dismiss", _("异议不成立")), ("uphold", _("异议成立，作品撤出公示并重新进入市级专家评审"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("处理说明"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("异议人和作者都会看到；异议成立时，重新评审的专家也会看到，请勿写入作者、学校等信息。"),
    )
