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


# --- personal data (ops.personal_data): the platform identities and second-factor devices --------


@hooks.register("personal_data_export")
def export_sign_in_data(user) -> dict:
    from django_otp import devices_for_user

    return {
        "federated_identities": [
            {
                "provider": identity.provider,
                "subject": identity.subject,
                "claims": identity.claims,
                "created_at": identity.created_at.isoformat(),
                "last_login_at": identity.last_login_at.isoformat() if identity.last_login_at else None,
            }
            for identity in user.federated_identities.all()
        ],
        "two_factor_devices": [device.name for device in devices_for_user(user, confirmed=None)],
    }


@hooks.register("personal_data_erase")
def erase_sign_in_data(user) -> dict:
    from django_otp import devices_for_user

    identities = user.federated_identities.all().delete()[0]
    devices = 0
    for device in list(devices_for_user(user, confirmed=None)):
        device.delete()
        devices += 1
    return {"federated_identities": identities, "two_factor_devices": devices}
