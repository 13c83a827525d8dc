from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin import messages
from wagtail.admin.widgets.button import Button
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from .models import RegionMapping, SchoolMapping


class RegionMappingViewSet(SnippetViewSet):
    model = RegionMapping
    icon = "site"
    menu_label = _("区划代码映射")
    list_display = ["area_code", "region", "note"]
    search_fields = ["area_code"]


class SchoolMappingViewSet(SnippetViewSet):
    model = SchoolMapping
    icon = "home"
    menu_label = _("学校机构映射")
    list_display = ["org_name", "org_id", "school", "seen_count", "last_seen_at"]
    list_filter = ["school__region"]
    search_fields = ["org_name", "org_id"]


class FederationGroup(SnippetViewSetGroup):
    menu_label = _("统一身份认证")
    menu_icon = "key"
    menu_order = 265
    items = (RegionMappingViewSet, SchoolMappingViewSet)


register_snippet(FederationGroup)


# --- two-factor reset by a superuser ------------------------------------------------------------


def two_factor_reset_view(request, user_id):
    from django.contrib.auth import get_user_model

    from .services import two_factor_reset

    if not request.user.is_superuser:
        raise PermissionDenied
    account = get_object_or_404(get_user_model(), pk=user_id)
    if request.method == "POST":
        two_factor_reset(user=account, by=request.user)
        messages.success(request, gettext("已重置 %(user)s 的双因素认证，其下次登录时需重新绑定。") % {"user": account})
        return redirect("wagtailusers_users:index")
    return TemplateResponse(request, "accounts/admin/two_factor_reset.html", {"account": account})


@hooks.register("register_admin_urls")
def two_factor_admin_urls():
    return [path("accounts/2fa-reset/<int:user_id>/", two_factor_reset_view, name="accounts_two_factor_reset")]


@hooks.register("register_user_listing_buttons")
def two_factor_reset_button(user, request_user):
    if request_user.is_superuser:
        yield Button(
            _("重置双因素认证"),
            reverse("accounts_two_factor_reset", args=[user.pk]),
            priority=50,
        )


# --- personal data (ops.personal_data): platform identities, second-factor devices, confirmations --


@hooks.register("register_personal_data")
def accounts_personal_data():
    from .personal_data import HANDLERS

    return HANDLERS
