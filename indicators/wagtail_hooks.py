from django.middleware.csrf import get_token
from django.templatetags.static import static
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from . import views
from .models import Denominator
from .selectors import indicator_scope


@hooks.register("register_admin_urls")
def register_indicator_urls():
    return [
        path("indicators/", views.dashboard, name="indicators_dashboard"),
        path("indicators/export.xlsx", views.export_xlsx, name="indicators_export"),
    ]


@hooks.register("register_personal_data")
def indicators_personal_data():
    from .personal_data import HANDLERS

    return HANDLERS


@hooks.register("resource_player_js")
def player_beacon_script(request, page):
    """Fills the catalogue's player slot: the beacon that reports each play (no inline script; the
    CSRF token travels in a data attribute)."""
    if request is None or not (page.videos or page.audios):
        return ""
    return format_html(
        '<script src="{}" data-endpoint="{}" data-csrf-token="{}" defer></script>',
        static("indicators/player-beacon.js"),
        reverse("indicators:play_beacon"),
        get_token(request),
    )


class IndicatorsMenuItem(MenuItem):
    def is_shown(self, request):
        return indicator_scope(request.user) is not None


@hooks.register("register_admin_menu_item")
def register_indicators_menu_item():
    return IndicatorsMenuItem(_("应用成效监测"), reverse("indicators_dashboard"), icon_name="table", order=270)


class DenominatorViewSet(SnippetViewSet):
    model = Denominator
    icon = "group"
    menu_label = _("师生基数")
    menu_order = 271
    add_to_admin_menu = True
    list_display = ["year", "region", "school", "teachers", "students"]
    list_filter = ["year", "region"]


register_snippet(DenominatorViewSet)
