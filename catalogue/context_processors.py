from . import caching


def site_navigation(request):
    """The theme menu shown in every public page's header (cached: catalogue.caching)."""
    return {"nav_themes": caching.structure().nav}


class _Abilities:
    """`{% if can.submit %}` in templates: the same answers as catalogue.permissions.can."""

    def __init__(self, user):
        self._user = user

    def __getitem__(self, name):
        from .permissions import Ability, can

        try:
            return can(self._user, Ability(name))
        except ValueError:
            raise KeyError(name) from None

    def __contains__(self, name):
        try:
            return bool(self[name])
        except KeyError:
            return False


def abilities(request):
    """`can` (abilities of the signed-in user) and `landing_url` (their own page) for templates."""
    from django.utils.functional import lazy

    from .permissions import account_pending, landing_url

    user = getattr(request, "user", None)
    return {
        "can": _Abilities(user),
        "landing_url": lazy(landing_url, str)(user),
        "account_pending": lazy(account_pending, bool)(user),
    }
