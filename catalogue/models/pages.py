"""The public page tree.

    HomePage
    ├── ThemePage (one per Theme)          └── TopicPage (one per Topic)
    ├── CampaignPage (one per year)        └── ResourcePage (local resources of that campaign)
    └── ResourceIndexPage (国家优质资源)     └── ResourcePage (links to national-platform resources)

Theme and topic pages list resources by their taxonomy fields, not by tree position, so a
resource lives under its campaign and appears on its theme's and topic's pages.
"""

import re

from django import forms
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.core.paginator import Page as DjangoPage
from django.db import models
from django.db.models import Prefetch, prefetch_related_objects
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.api import APIField
from wagtail.fields import RichTextField
from wagtail.models import Orderable, Page, PageViewRestriction
from wagtail.search import index

from .. import caching
from ..signals import campaign_notices, resource_accessed
from .taxonomy import Grade, Region, ResourceType, School, Stage, Subject, Theme, Topic

RESOURCES_PER_PAGE = 12


def live_resources():
    """Every resource the public may see: live, published, not under a private section."""
    return (
        caching.public(ResourcePage.objects.live())
        .select_related("theme", "topic", "stage", "resource_type", "region", "school", "cover_image")
        .prefetch_related("subjects")
    )


def listing(queryset):
    """A queryset of live_resources() for cards: only the cover joined; theme, topic, stage, type and
    region are attached from the cached structure when it is evaluated (caching.taxonomy_attach).
    Cards never show the description: it is not read, and not kept with them (caching.content)."""
    return queryset.select_related(None).select_related("cover_image").defer("description")


class ListingPaginator(Paginator):
    def page(self, number):
        page = super().page(number)
        page.object_list = caching.taxonomy_attach(page.object_list)
        return page


def filter_resources(queryset, params):
    """Apply the listing filters a visitor picks (subject / stage / type, by id)."""
    chosen = {}
    for key, field in (("subject", "subjects"), ("stage", "stage"), ("type", "resource_type")):
        value = params.get(key, "")
        if value.isascii() and value.isdigit():  # "²" is a digit to Python, not to int()
            queryset = queryset.filter(**{f"{field}__id": int(value)})
            chosen[key] = int(value)
    # Only the subject filter joins a many-to-many table (and could repeat a row).
    return (queryset.distinct() if "subject" in chosen else queryset), chosen


def paginate(request, queryset, *, kept_as: str = ""):
    """The page of cards the request asks for (`?page=`; a number out of range gives the last page,
    anything else the first). With `kept_as`, the listing's count and each page of cards are kept
    by catalogue.caching.content() under that name (a listing page and its filters)."""
    paginator = ListingPaginator(listing(queryset), RESOURCES_PER_PAGE)
    if not kept_as:
        return paginator.get_page(request.GET.get("page"))
    paginator.count = caching.content("listing-count", kept_as, lambda: paginator.count)
    try:
        number = paginator.validate_number(request.GET.get("page") or 1)
    except PageNotAnInteger:
        number = 1
    except EmptyPage:
        number = paginator.num_pages
    cards = caching.content("listing", f"{kept_as}:{number}", lambda: list(paginator.page(number).object_list))
    return DjangoPage(cards, number, paginator)


class CachedRestrictionsMixin:
    """Wagtail asks every page it serves for its view restrictions (a `before_serve_page` hook, two
    queries); the answer comes from catalogue.caching, with no query, when none covers the page.

    `route_select_related`: what the home page's cached routing fetches along with the page;
    `route_taxonomy`: a resource page's taxonomy comes from the cached structure instead.
    """

    route_select_related = ()

    def get_view_restrictions(self):
        if self.path and not caching.restricted(self):
            return PageViewRestriction.objects.none()
        return super().get_view_restrictions()


class ListingMixin:
    """Context for pages that list resources with the subject/stage/type filters.

    Each listing page defines `resource_queryset()`, its base set of live resources.
    """

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        queryset, chosen = filter_resources(self.resource_queryset(), request.GET)
        site = caching.structure()
        # Kept (with a shared cache) only for filters the site offers: ids nobody offers would let
        # a visitor fill the cache with listings no one else asks for.
        offered = {
            "subject": {s.pk for s in site.subjects},
            "stage": {s.pk for s in site.stages},
            "type": {t.pk for t in site.resource_types},
        }
        kept_as = ""
        # A preview lists what the draft's taxonomy would list: never kept. One filter at most:
        # every combination of three would multiply what is kept for rare requests.
        if (
            not getattr(request, "is_preview", False)
            and len(chosen) <= 1
            and all(value in offered[key] for key, value in chosen.items())
        ):
            kept_as = f"{self.pk}:" + ":".join(str(chosen.get(key, "")) for key in ("subject", "stage", "type"))
        context["resources"] = paginate(request, queryset.order_by("-first_published_at", "-id"), kept_as=kept_as)
        context["chosen"] = chosen
        context["subjects"] = site.subjects
        context["stages"] = site.stages
        context["resource_types"] = site.resource_types
        return context


class HomePage(CachedRestrictionsMixin, Page):
    intro = models.TextField(_("首页导语"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    subpage_types = ["catalogue.ThemePage", "catalogue.CampaignPage", "catalogue.ResourceIndexPage"]
    parent_page_types = ["wagtailcore.Page"]
    max_count = 1

    class Meta:
        verbose_name = _("首页")

    def route(self, request, path_components):
        # One query for the page at the path (catalogue.caching) instead of two per level.
        page = caching.route(self, request, path_components)
        if page is not None:
            return page.route(request, [])
        return super().route(request, path_components)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        site = caching.structure()
        context["theme_cards"] = site.cards_under(self)
        context["campaigns"] = site.campaigns
        context.update(caching.content("home", str(self.pk), self.listings))
        return context

    @staticmethod
    def listings() -> dict:
        resources = listing(live_resources().prefetch_related(None))
        latest = list(resources.order_by("-first_published_at", "-id")[:8])
        most_visited = list(resources.filter(view_count__gt=0).order_by("-view_count", "-id")[:8])
        national = list(resources.filter(source=ResourcePage.Source.NATIONAL)[:4])
        prefetch_related_objects(latest + most_visited + national, "subjects")  # one query for the three
        caching.taxonomy_attach(latest + most_visited + national)
        return {
            "latest": latest,
            "most_visited": most_visited,
            "national": national,
            "resource_total": resources.count(),
        }


class ThemePage(CachedRestrictionsMixin, ListingMixin, Page):
    theme = models.OneToOneField(Theme, verbose_name=_("主题"), on_delete=models.PROTECT, related_name="page")
    intro = RichTextField(_("导语"), blank=True, features=["bold", "italic", "link"])

    content_panels = Page.content_panels + [FieldPanel("theme"), FieldPanel("intro")]
    parent_page_types = ["catalogue.HomePage"]
    subpage_types = ["catalogue.TopicPage"]
    search_fields = Page.search_fields + [index.SearchField("intro")]
    api_fields = [APIField("theme"), APIField("intro")]
    route_select_related = ("theme",)

    class Meta:
        verbose_name = _("主题页")

    def resource_queryset(self):
        return live_resources().filter(theme_id=self.theme_id)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["topic_links"] = caching.structure().topics_of(self)
        return context


class TopicPage(CachedRestrictionsMixin, ListingMixin, Page):
    topic = models.OneToOneField(Topic, verbose_name=_("专题"), on_delete=models.PROTECT, related_name="page")
    intro = RichTextField(_("导语"), blank=True, features=["bold", "italic", "link"])
    banner_image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("题图"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    content_panels = Page.content_panels + [FieldPanel("topic"), FieldPanel("intro"), FieldPanel("banner_image")]
    parent_page_types = ["catalogue.ThemePage"]
    subpage_types = []
    search_fields = Page.search_fields + [index.SearchField("intro")]
    api_fields = [APIField("topic"), APIField("intro")]
    route_select_related = ("topic", "banner_image")

    class Meta:
        verbose_name = _("专题页")

    def resource_queryset(self):
        return live_resources().filter(topic_id=self.topic_id)

    def route_prepare(self):
        """The breadcrumb's theme page (treebeard keeps it on the page): kept with the page."""
        self.get_parent()


class CampaignPage(CachedRestrictionsMixin, ListingMixin, Page):
    year = models.PositiveIntegerField(_("年度"), unique=True)
    opens_on = models.DateField(_("征集开始日期"))
    closes_on = models.DateField(_("征集截止日期"))
    themes = ParentalManyToManyField(Theme, verbose_name=_("开放主题"), blank=True, related_name="campaigns")
    intro = RichTextField(_("活动通知"), blank=True)

    content_panels = Page.content_panels + [
        FieldPanel("year"),
        FieldRowPanel([FieldPanel("opens_on"), FieldPanel("closes_on")], heading=_("征集时间")),
        FieldPanel("themes", widget=forms.CheckboxSelectMultiple),
        FieldPanel("intro"),
    ]
    parent_page_types = ["catalogue.HomePage"]
    subpage_types = ["catalogue.ResourcePage"]
    api_fields = [APIField("year"), APIField("opens_on"), APIField("closes_on"), APIField("intro")]

    class Meta:
        verbose_name = _("征集活动")
        verbose_name_plural = _("征集活动")

    def is_open_on(self, day) -> bool:
        return self.opens_on <= day <= self.closes_on

    @property
    def is_open(self) -> bool:
        return self.is_open_on(timezone.localdate())

    def resource_queryset(self):
        return live_resources().child_of(self)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["open_themes"] = list(self.themes.all())
        # Other apps link their notices here (review: the public notice of proposed awards).
        context["notices"] = [
            notice
            for _receiver, notices in campaign_notices.send(sender=type(self), campaign=self)
            for notice in notices or []
        ]
        return context


class ResourceIndexPage(CachedRestrictionsMixin, ListingMixin, Page):
    """A section of resources not tied to a campaign: links to national-platform resources."""

    intro = RichTextField(_("导语"), blank=True, features=["bold", "italic", "link"])

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["catalogue.HomePage"]
    subpage_types = ["catalogue.ResourcePage"]

    class Meta:
        verbose_name = _("资源栏目")

    def resource_queryset(self):
        return live_resources().child_of(self)


class ResourcePage(CachedRestrictionsMixin, Page):
    class Source(models.TextChoices):
        LOCAL = "local", _("地方特色资源")
        NATIONAL = "national", _("国家优质资源")

    class Licence(models.TextChoices):
        PLATFORM = "platform", _("原创作品，授权本资源库用于非商业教学")
        CC_BY_NC = "cc-by-nc", _("知识共享 署名-非商业性使用 4.0")
        NATIONAL = "national", _("国家平台资源，按原平台许可使用")

    external_id = models.CharField(_("外部编号"), max_length=80, unique=True, null=True, blank=True, editable=False)
    source = models.CharField(_("来源"), max_length=20, choices=Source.choices, default=Source.LOCAL)
    description = RichTextField(_("资源简介"), features=["bold", "italic", "ol", "ul", "link"])
    theme = models.ForeignKey(Theme, verbose_name=_("主题"), on_delete=models.PROTECT, related_name="resources")
    topic = models.ForeignKey(
        Topic, verbose_name=_("专题"), null=True, blank=True, on_delete=models.PROTECT, related_name="resources"
    )
    subjects = ParentalManyToManyField(Subject, verbose_name=_("学科"), related_name="resources")
    stage = models.ForeignKey(Stage, verbose_name=_("学段"), on_delete=models.PROTECT, related_name="resources")
    grades = ParentalManyToManyField(Grade, verbose_name=_("年级"), blank=True, related_name="resources")
    resource_type = models.ForeignKey(
        ResourceType, verbose_name=_("资源类型"), on_delete=models.PROTECT, related_name="resources"
    )
    external_url = models.URLField(_("外部链接"), max_length=500, blank=True)
    cover_image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("封面图"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    authors = models.CharField(_("作者"), max_length=200, help_text=_("多位作者用顿号或逗号分隔"))
    co_authors = models.CharField(_("合作者"), max_length=300, blank=True)
    region = models.ForeignKey(
        Region, verbose_name=_("县（区）"), null=True, blank=True, on_delete=models.PROTECT, related_name="resources"
    )
    school = models.ForeignKey(
        School, verbose_name=_("学校"), null=True, blank=True, on_delete=models.PROTECT, related_name="resources"
    )
    year = models.PositiveIntegerField(_("年度"))
    licence = models.CharField(_("授权声明"), max_length=20, choices=Licence.choices, default=Licence.PLATFORM)
    licence_confirmed = models.BooleanField(_("本人承诺资源为原创或已获授权，不侵犯他人著作权"), default=False)
    # Written by other apps through services (review: award and score; indicators: counts), never
    # edited by hand: they are denormalised so listings can sort without a join across apps.
    award = models.CharField(_("获奖等级"), max_length=20, blank=True, editable=False)
    final_score = models.DecimalField(
        _("评审得分"), max_digits=5, decimal_places=2, null=True, blank=True, editable=False
    )
    view_count = models.PositiveIntegerField(_("浏览次数"), default=0, editable=False)
    download_count = models.PositiveIntegerField(_("下载次数"), default=0, editable=False)
    play_count = models.PositiveIntegerField(_("播放次数"), default=0, editable=False)

    content_panels = Page.content_panels + [
        FieldPanel("description"),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("theme"), FieldPanel("topic")]),
                FieldPanel("subjects", widget=forms.CheckboxSelectMultiple),
                FieldRowPanel([FieldPanel("stage"), FieldPanel("resource_type")]),
                FieldPanel("grades", widget=forms.CheckboxSelectMultiple),
            ],
            heading=_("分类"),
        ),
        MultiFieldPanel(
            [FieldPanel("cover_image"), InlinePanel("files", label=_("资源文件")), FieldPanel("external_url")],
            heading=_("文件与链接"),
        ),
        InlinePanel("gallery_images", label=_("图集")),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("authors"), FieldPanel("co_authors")]),
                FieldRowPanel([FieldPanel("region"), FieldPanel("school")]),
                FieldRowPanel([FieldPanel("year"), FieldPanel("source")]),
                FieldPanel("licence"),
                FieldPanel("licence_confirmed"),
            ],
            heading=_("作者与授权"),
        ),
    ]
    parent_page_types = ["catalogue.CampaignPage", "catalogue.ResourceIndexPage"]
    subpage_types = []
    search_fields = Page.search_fields + [
        index.SearchField("description"),
        index.SearchField("authors"),
        index.RelatedFields("topic", [index.SearchField("name")]),
        index.RelatedFields("theme", [index.SearchField("name")]),
        index.FilterField("theme"),
        index.FilterField("topic"),
        index.FilterField("stage"),
        index.FilterField("resource_type"),
        index.FilterField("region"),
        index.FilterField("year"),
    ]
    api_fields = [
        APIField("description"),
        APIField("source"),
        APIField("theme"),
        APIField("topic"),
        APIField("subjects"),
        APIField("stage"),
        APIField("grades"),
        APIField("resource_type"),
        APIField("external_url"),
        APIField("cover_image"),
        APIField("authors"),
        APIField("co_authors"),
        APIField("region"),
        APIField("school"),
        APIField("year"),
        APIField("licence"),
        APIField("award"),
        APIField("view_count"),
        APIField("download_count"),
        APIField("files"),
    ]
    route_select_related = ("school", "cover_image")
    route_taxonomy = True  # theme (with its page), topic (with its page), stage, type, region: caching.taxonomy_attach

    class Meta:
        verbose_name = _("资源")
        verbose_name_plural = _("资源")

    def serve(self, request, *args, **kwargs):
        # Previews go through serve_preview, not here: only real public views are announced.
        response = super().serve(request, *args, **kwargs)
        if request.method == "GET" and response.status_code == 200:
            resource_accessed.send(sender=ResourcePage, request=request, resource=self, action="view", file=None)
            if request.user.is_authenticated:
                from ..services import learning_visit_record

                learning_visit_record(user=request.user, resource=self)
        return response

    def route_prepare(self):
        """Read everything the page shows (no query when already read), so that a page kept by
        catalogue.caching.content() is served with none but the content version's."""
        gallery = Prefetch("gallery_images", queryset=ResourceGalleryImage.objects.select_related("image"))
        prefetch_related_objects([self], "subjects", "grades", gallery)
        for f in self.file_list:  # a cached property: kept with the page
            # Wagtail saves a document's size the first time it is asked for: the kept copy must
            # carry it, or every view of the copy would save it again.
            f.document.get_file_size()

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        self.route_prepare()  # nothing to read when the cached routing already did
        # The reader's own state (收藏, where the video stopped): signed-in readers only, so
        # anonymous pages cost no query for it.
        if request.user.is_authenticated:
            from ..selectors import reader_state

            context["reader"] = reader_state(user=request.user, resource=self)
        return context

    @cached_property
    def file_list(self):
        """The files with what readers see: a plain label (作品视频, 课件 …), the name a download is
        saved under (标题-标签.扩展名) and, for documents, whether they can be read in the page."""
        from ..naming import ascii_download_name, download_name, file_extension, file_label

        files = list(self.files.select_related("document", "document__preview").all())
        code = self.resource_type.code if self.resource_type_id else ""
        seen = {}
        kinds_seen = set()
        for f in files:
            label = file_label(f, code, first_of_kind=f.kind not in kinds_seen)
            kinds_seen.add(f.kind)
            seen[label] = seen.get(label, 0) + 1
            shown = label if seen[label] == 1 else f"{label}{seen[label]}"
            f.label = shown
            f.download_name = download_name(self.title, shown, f.document.filename)
            f.ascii_download_name = ascii_download_name(self.title, shown, f.document.filename)
            f.extension = file_extension(f.document.filename).lstrip(".")
        return files

    @property
    def videos(self):
        return [f for f in self.file_list if f.kind == ResourceFile.Kind.VIDEO]

    @property
    def audios(self):
        return [f for f in self.file_list if f.kind == ResourceFile.Kind.AUDIO]

    @property
    def documents(self):
        return [f for f in self.file_list if f.kind == ResourceFile.Kind.DOCUMENT]

    @property
    def readable_documents(self):
        """Documents that open in the in-page reader: PDFs, and office files with a PDF rendering."""
        return [f for f in self.documents if f.reader_url]

    @property
    def author_list(self):
        return [a for a in re.split(r"[、，,;；\s]+", self.authors) if a]

    @property
    def plain_description(self) -> str:
        """The description as plain text (share cards, meta description)."""
        from django.utils.html import strip_tags

        return re.sub(r"\s+", " ", strip_tags(self.description or "")).strip()


class ResourceFile(Orderable):
    class Kind(models.TextChoices):
        VIDEO = "video", _("视频")
        AUDIO = "audio", _("音频")
        DOCUMENT = "document", _("文档")

    page = ParentalKey(ResourcePage, on_delete=models.CASCADE, related_name="files")
    document = models.ForeignKey(
        "wagtaildocs.Document", verbose_name=_("文件"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("类别"), max_length=20, choices=Kind.choices, default=Kind.DOCUMENT)
    caption = models.CharField(_("说明"), max_length=200, blank=True)

    panels = [FieldPanel("document"), FieldPanel("kind"), FieldPanel("caption")]
    api_fields = [APIField("document"), APIField("kind"), APIField("caption")]

    class Meta(Orderable.Meta):
        verbose_name = _("资源文件")

    @property
    def filename(self):
        return self.document.filename

    @property
    def reader_url(self) -> str:
        """Where the in-page reader fetches this document as PDF ("" when it cannot be read there)."""
        from django.urls import reverse

        from .documents import OFFICE_EXTENSIONS, DocumentPreview

        if self.kind != self.Kind.DOCUMENT:
            return ""
        extension = self.document.file_extension.lower()
        if extension == "pdf":
            return reverse("catalogue:resource_file", args=[self.pk, getattr(self, "download_name", self.filename)])
        if extension in OFFICE_EXTENSIONS:
            preview = getattr(self.document, "preview", None)
            if preview is not None and preview.status == DocumentPreview.Status.READY and preview.file:
                return reverse("catalogue:document_preview", args=[self.pk])
        return ""

    @property
    def preview_note(self) -> str:
        """Why an office document cannot be read in the page (yet), for the reader's fallback."""
        from .documents import OFFICE_EXTENSIONS

        if self.kind != self.Kind.DOCUMENT or self.document.file_extension.lower() not in OFFICE_EXTENSIONS:
            return ""
        preview = getattr(self.document, "preview", None)
        if preview is None:
            return _("在线阅读版本正在生成，请稍后刷新页面，或下载后阅读。")
        return preview.note


class ResourceGalleryImage(Orderable):
    page = ParentalKey(ResourcePage, on_delete=models.CASCADE, related_name="gallery_images")
    image = models.ForeignKey("wagtailimages.Image", verbose_name=_("图片"), on_delete=models.CASCADE, related_name="+")
    caption = models.CharField(_("说明"), max_length=200, blank=True)

    panels = [FieldPanel("image"), FieldPanel("caption")]

    class Meta(Orderable.Meta):
        verbose_name = _("图集图片")
