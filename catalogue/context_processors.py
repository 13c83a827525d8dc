from .models import Theme


def site_navigation(request):
    """The theme menu shown in every public page's header."""
    return {"nav_themes": Theme.objects.select_related("page").order_by("sort_order")}
