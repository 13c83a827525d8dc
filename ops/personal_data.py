"""One person's data: export it (JSON) and erase it (the account is anonymised, not deleted).

What the catalogue stores about a person is the account (user name, name, e-mail, login times),
the profile (role, region, school, display name), group memberships, the audit entries about
them, and the resources they own or revised. Other apps add their own sections through two
Wagtail hooks, so ops imports none of them:

    @hooks.register("personal_data_export")
    def export(user) -> dict            # {section name: JSON-serialisable data}

    @hooks.register("personal_data_erase")
    def erase(user) -> dict             # {section name: number of records erased/anonymised}

Erasure anonymises rather than deletes the account row: published resources, review records and
counted access events keep their foreign keys (official figures must stay reproducible), but
nothing left points to who the person was.
"""

import secrets

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from wagtail import hooks
from wagtail.models import ModelLogEntry, PageLogEntry, Revision

from .audit import PERSONAL_DATA_DELETE, PERSONAL_DATA_EXPORT, audit

ANONYMOUS_NAME = "已注销用户"


def _log_entries(user):
    from django.contrib.contenttypes.models import ContentType

    ct = ContentType.objects.get_for_model(get_user_model())
    return ModelLogEntry.objects.filter(content_type=ct, object_id=str(user.pk))


def personal_data_collect(*, user) -> dict:
    """Everything stored about `user`, as JSON-serialisable data."""
    from catalogue.models import ResourcePage, UserProfile

    profile = UserProfile.objects.filter(user=user).select_related("region", "school").first()
    data = {
        "exported_at": timezone.now().isoformat(),
        "account": {
            "username": user.get_username(),
            "first_name": user.first_name,
            "last_name": user.last_name,
            "email": user.email,
            "is_active": user.is_active,
            "date_joined": user.date_joined.isoformat() if user.date_joined else None,
            "last_login": user.last_login.isoformat() if user.last_login else None,
            "groups": sorted(user.groups.values_list("name", flat=True)),
        },
        "profile": (
            {
                "display_name": profile.display_name,
                "role": profile.role,
                "role_label": str(profile.get_role_display()),
                "region": profile.region.name if profile.region else None,
                "school": profile.school.name if profile.school else None,
            }
            if profile
            else None
        ),
        "resources_owned": [
            {"id": p.pk, "title": p.title, "live": p.live, "url_path": p.url_path}
            for p in ResourcePage.objects.filter(owner=user).order_by("pk")
        ],
        "revisions_authored": Revision.objects.filter(user=user).count(),
        "audit_log": [
            {"time": e.timestamp.isoformat(), "action": e.action, "data": e.data}
            for e in _log_entries(user).order_by("timestamp")
        ],
        "actions_in_audit_log": ModelLogEntry.objects.filter(user=user).count()
        + PageLogEntry.objects.filter(user=user).count(),
    }
    for fn in hooks.get_hooks("personal_data_export"):
        data.update(fn(user) or {})
    return data


def personal_data_export(*, user, actor=None) -> dict:
    data = personal_data_collect(user=user)
    audit(user, PERSONAL_DATA_EXPORT, user=actor)
    return data


@transaction.atomic
def personal_data_erase(*, user, actor=None) -> dict:
    """Anonymise `user`: no name, e-mail, password or login history is left; role, region and
    school stay, since counted access events are reported by them (never by person)."""
    from catalogue.models import UserProfile

    User = get_user_model()
    old_username = user.get_username()
    pseudonym = f"deleted-{user.pk}-{secrets.token_hex(4)}"
    summary = {"account": 1}
    audit(user, PERSONAL_DATA_DELETE, user=actor, data={"pseudonym": pseudonym})
    User.objects.filter(pk=user.pk).update(
        **{User.USERNAME_FIELD: pseudonym},
        first_name="",
        last_name="",
        email="",
        password="!" + secrets.token_urlsafe(24),  # unusable
        is_active=False,
        is_staff=False,
        is_superuser=False,
        last_login=None,
    )
    summary["profile"] = UserProfile.objects.filter(user=user).update(display_name=ANONYMOUS_NAME)
    # Audit entries are kept for their retention period (a legal duty) but lose the name.
    entries = _log_entries(user)
    summary["audit_log_entries"] = entries.count()
    for entry in entries:
        entry.label = pseudonym
        if isinstance(entry.data, dict):
            entry.data = {k: v for k, v in entry.data.items() if k not in ("username", "user_agent")}
        entry.save(update_fields=["label", "data"])
    ModelLogEntry.objects.filter(action="ops.login_failed", data__username=old_username).update(
        label=pseudonym, data={}
    )
    from django.contrib.sessions.models import Session

    summary["sessions"] = sum(
        1
        for s in Session.objects.all().iterator()
        if s.get_decoded().get("_auth_user_id") == str(user.pk) and s.delete()
    )
    for fn in hooks.get_hooks("personal_data_erase"):
        summary.update(fn(user) or {})
    user.refresh_from_db()
    return summary
