from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.templatetags.static import static
from django.utils.html import format_html
from django.utils.translation import gettext as _
from wagtail import hooks
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from .admin_i18n import label_unmarked_admin_fields
from .denied import DRAFT_FILE, Denied
from .http import ranged_file_response
from .models import Grade, Region, ResourceFile, ResourceType, Role, School, Stage, Subject, Theme, Topic, UserProfile
from .models.accounts import ROLES_NEEDING_REGION, ROLES_NEEDING_SCHOOL
from .permissions import Ability, assignable_roles, can, may_manage_account
from .selectors import accounts_manageable_by, admin_pages_visible_to, document_visible_to, public_resource_file_of
from .services import profile_set, taxonomy_pages_sync
from .signals import resource_accessed

label_unmarked_admin_fields()


@hooks.register("insert_global_admin_css")
def admin_css():
    """Our admin pages on a phone, and the few Wagtail screens that do not fit one (static/css/admin.css)."""
    return format_html('<link rel="stylesheet" href="{}">', static("css/admin.css"))


class ThemeViewSet(SnippetViewSet):
    model = Theme
    icon = "folder-open-inverse"
    list_display = ["name", "sort_order"]  # the slug (red-culture) is the address, shown in the form


class TopicViewSet(SnippetViewSet):
    model = Topic
    icon = "folder-inverse"
    list_display = ["name", "theme", "place", "sort_order"]
    list_filter = ["theme"]


class SubjectViewSet(SnippetViewSet):
    model = Subject
    icon = "doc-full"
    list_display = ["name", "sort_order"]


class StageViewSet(SnippetViewSet):
    model = Stage
    icon = "list-ol"
    list_display = ["name", "sort_order"]  # codes (junior, senior…) are for addresses and imports


class GradeViewSet(SnippetViewSet):
    model = Grade
    icon = "list-ul"
    list_display = ["name", "stage", "sort_order"]
    list_filter = ["stage"]


class ResourceTypeViewSet(SnippetViewSet):
    model = ResourceType
    icon = "media"
    list_display = ["name", "sort_order"]


class RegionViewSet(SnippetViewSet):
    model = Region
    icon = "site"
    list_display = ["name", "kind", "sort_order"]


class SchoolViewSet(SnippetViewSet):
    model = School
    icon = "home"
    list_display = ["name", "region", "stage_hint"]
    list_filter = ["region"]
    search_fields = ["name"]


class TaxonomyGroup(SnippetViewSetGroup):
    menu_label = _("分类体系")
    menu_icon = "tag"
    menu_order = 250
    items = (
        ThemeViewSet,
        TopicViewSet,
        SubjectViewSet,
        StageViewSet,
        GradeViewSet,
        ResourceTypeViewSet,
        RegionViewSet,
        SchoolViewSet,
    )


class ProfileAdminForm(WagtailAdminModelForm):
    """A profile's role, region and school, as the editing user may set them: only roles of lower
    power than their own (catalogue.permissions), a school inside the chosen region."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        allowed = set(assignable_roles(self.for_user)) if self.for_user is not None else set()
        if self.instance.pk and self.instance.role:
            allowed.add(self.instance.role)  # shown as it is; changing it is checked in clean()
        self.fields["role"].choices = [(r.value, r.label) for r in Role if r in allowed]

    def clean(self):
        cleaned = super().clean()
        role, region, school = cleaned.get("role"), cleaned.get("region"), cleaned.get("school")
        if role and role not in assignable_roles(self.for_user):
            self.add_error("role", _("您不能授予该角色。"))
        if school is not None and region is not None and school.region_id != region.pk:
            self.add_error("school", _("所选学校不属于所选县（区）。"))
        if role in ROLES_NEEDING_REGION and region is None and school is None:
            self.add_error("region", _("该角色必须选择县（区）。"))
        if role in ROLES_NEEDING_SCHOOL and school is None:
            self.add_error("school", _("该角色必须选择学校。"))
        return cleaned


class UserProfileViewSet(SnippetViewSet):
    """Accounts' roles, filterable by role and region. Lists and edits only the accounts the
    editing user may manage; accounts are created under 设置 → 用户 (or imported)."""

    model = UserProfile
    icon = "user"
    menu_label = _("用户角色")
    menu_order = 260
    add_to_admin_menu = True
    list_display = ["user", "display_name", "role", "region", "school", "confirmation"]
    list_filter = ["role", "region", "confirmation"]
    search_fields = ["display_name"]
    edit_handler = ObjectList(
        [FieldPanel("display_name"), FieldPanel("role"), FieldPanel("region"), FieldPanel("school")],
        base_form_class=ProfileAdminForm,
    )

    def get_queryset(self, request):
        managed = accounts_manageable_by(request.user).values("pk")
        return UserProfile.objects.filter(user__in=managed).select_related("user", "region", "school")


register_snippet(TaxonomyGroup)
register_snippet(UserProfileViewSet)


@hooks.register("register_personal_data")
def catalogue_personal_data():
    from .personal_data import HANDLERS

    return HANDLERS


@hooks.register("before_serve_document")
def guard_document(document, request):
    """Documents of drafts are served only to users who may edit the resource that uses them; a
    document of a public resource served at Wagtail's URL (the API's download_url) is a download
    of that resource, announced like one from our own file view."""
    if not document_visible_to(request.user, document):
        raise Denied(DRAFT_FILE)
    resource_file = public_resource_file_of(document)
    if resource_file is not None:
        resource_accessed.send(
            sender=ResourceFile, request=request, resource=resource_file.page, action="download", file=resource_file
        )


@hooks.register("before_edit_snippet")
@hooks.register("before_delete_snippet")
def guard_profile_edit(request, instance):
    """Nobody edits the role of an account of equal or higher power, whatever URL they type."""
    if isinstance(instance, UserProfile) and not may_manage_account(request.user, instance.user):
        from wagtail.log_actions import log

        log(
            instance.user,
            "ops.escalation_refused",
            user=request.user,
            data={"reason": "profile of an account above the actor", "path": request.path},
        )
        raise PermissionDenied


@hooks.register("before_serve_document", order=1000)
def serve_document_file(document, request):
    """With MEDIA_ACCEL_REDIRECT, Wagtail's document URLs hand the file to nginx through the
    project's one file door (the download name, security headers; nginx answers Range). It runs after
    every other before_serve_document hook (the guard above, Wagtail's collection privacy). Without
    it, Wagtail's own view streams the file, as it always has (Wagtail only takes an HttpResponse
    from a hook, not a streaming one)."""
    if settings.MEDIA_ACCEL_REDIRECT:
        return ranged_file_response(
            request,
            document.file,
            filename=document.filename,
            as_attachment=document.content_disposition.startswith("attachment"),
        )
    return None


@hooks.register("after_edit_snippet")
def sync_role_group(request, instance):
    """Editing a profile's role in the admin moves the user into that role's permission group."""
    if isinstance(instance, UserProfile):
        profile_set(user=instance.user, role=instance.role, region=instance.region, school=instance.school)


@hooks.register("construct_page_chooser_queryset")
def scope_page_chooser(pages, request):
    """The page chooser and its search list only what the user may see (catalogue.selectors)."""
    return admin_pages_visible_to(request.user, pages)


@hooks.register("construct_homepage_panels")
def scope_dashboard_panels(request, panels):
    """Wagtail's dashboard panels (recent edits, locked pages, pages awaiting moderation) name
    drafts and their authors. Resource admins keep them all; a county reviewer keeps only "awaiting
    your review", which the review tasks scope to their own region; experts (who must not learn
    authors) get none and find their work on the review desk."""
    if can(request.user, Ability.SEE_ALL_DRAFTS):
        return
    keep = "WorkflowObjectsToModeratePanel" if can(request.user, Ability.REVIEW_COUNTY) else None
    panels[:] = [panel for panel in panels if type(panel).__name__ == keep]


@hooks.register("construct_explorer_page_queryset")
def scope_explorer(parent_page, pages, request):
    return admin_pages_visible_to(request.user, pages)


@hooks.register("after_create_snippet")
@hooks.register("after_edit_snippet")
def sync_taxonomy_pages(request, instance):
    """A theme or topic added or renamed in the admin gets its public page at once."""
    if isinstance(instance, (Theme, Topic)):
        taxonomy_pages_sync()
        page = getattr(type(instance).objects.select_related("page").get(pk=instance.pk), "page", None)
        if page is not None and page.live:
            messages.info(request, _("公开页面已更新：%(url)s") % {"url": page.url})
