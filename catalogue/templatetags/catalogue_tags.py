from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from wagtail import hooks

register = template.Library()


@register.simple_tag(takes_context=True)
def resource_player_js(context, page):
    """The slot other apps fill with the resource page's player scripts: each function registered
    with the Wagtail hook `resource_player_js` gets (request, page) and returns HTML (the indicators
    app adds its play beacon there), so the catalogue's templates name no other app's URL."""
    request = context.get("request")
    parts = [fn(request, page) or "" for fn in hooks.get_hooks("resource_player_js")]
    return mark_safe("".join(conditional_escape(part) for part in parts))


@register.simple_tag(takes_context=True)
def query_with(context, **changes):
    """The current query string with some parameters replaced (keeps filters across pages)."""
    params = context["request"].GET.copy()
    for key, value in changes.items():
        params[key] = value
    return params.urlencode()
