from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from wagtail import hooks
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from .models import Grade, Region, ResourceFile, ResourceType, School, Stage, Subject, Theme, Topic, UserProfile
from .selectors import document_visible_to, public_resource_file_of
from .services import profile_set
from .signals import resource_accessed


class ThemeViewSet(SnippetViewSet):
    model = Theme
    icon = "folder-open-inverse"
    list_display = ["name", "slug", "sort_order"]


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
    list_display = ["name", "code", "sort_order"]


class GradeViewSet(SnippetViewSet):
    model = Grade
    icon = "list-ul"
    list_display = ["name", "stage", "sort_order"]
    list_filter = ["stage"]


class ResourceTypeViewSet(SnippetViewSet):
    model = ResourceType
    icon = "media"
    list_display = ["name", "code", "sort_order"]


class RegionViewSet(SnippetViewSet):
    model = Region
    icon = "site"
    list_display = ["name", "code", "kind", "sort_order"]


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


class UserProfileViewSet(SnippetViewSet):
    model = UserProfile
    icon = "user"
    menu_label = _("用户角色")
    menu_order = 260
    add_to_admin_menu = True
    list_display = ["user", "display_name", "role", "region", "school"]
    list_filter = ["role", "region"]
    search_fields = ["display_name"]


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
        raise PermissionDenied
    resource_file = public_resource_file_of(document)
    if resource_file is not None:
        resource_accessed.send(
            sender=ResourceFile, request=request, resource=resource_file.page, action="download", file=resource_file
        )


@hooks.register("after_create_snippet")
@hooks.register("after_edit_snippet")
def sync_role_group(request, instance):
    """Editing a profile's role in the admin moves the user into that role's permission group."""
    if isinstance(instance, UserProfile):
        profile_set(user=instance.user, role=instance.role, region=instance.region, school=instance.school)
