"""Security events in Wagtail's audit log (管理后台 → 报表 → 网站历史).

Logins, logouts, failed logins, lockouts, group membership, account flags and group permission
changes are written with `wagtail.log_actions.log`, under the `ops.*` action types registered in
wagtail_hooks.py, so the security reviewer reads them in the same report as page history.
Entries are kept at least AUDIT_LOG_RETENTION_DAYS (≥ 183) days; see purge_audit_log.
"""

import contextlib
import contextvars
import logging

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import m2m_changed, pre_save
from django.dispatch import receiver
from django.utils.functional import LazyObject, empty
from wagtail.log_actions import log

from .net import client_ip

logger = logging.getLogger("ops")

LOGIN = "ops.login"
LOGOUT = "ops.logout"
LOGIN_FAILED = "ops.login_failed"
LOCKED_OUT = "ops.locked_out"
GROUP_MEMBERSHIP = "ops.group_membership"
ACCOUNT_FLAGS = "ops.account_flags"
GROUP_PERMISSIONS = "ops.group_permissions"
PERSONAL_DATA_EXPORT = "ops.personal_data_export"
PERSONAL_DATA_DELETE = "ops.personal_data_delete"
BACKUP = "ops.backup"
RESTORE = "ops.restore"
ROLE_CHANGE = "ops.role_change"
ESCALATION_REFUSED = "ops.escalation_refused"
PASSWORD_SET = "ops.password_set"
TWO_FACTOR_ENROLLED = "ops.two_factor_enrolled"
TWO_FACTOR_RESET = "ops.two_factor_reset"
TWO_FACTOR_FAILED = "ops.two_factor_failed"
TWO_FACTOR_RECOVERY_USED = "ops.two_factor_recovery_used"
FEDERATED_LOGIN = "ops.federated_login"
TEACHER_CONFIRMATION = "ops.teacher_confirmation"

# While a backup is being restored, the rows being loaded are history, not new events.
_suspended = contextvars.ContextVar("ops_audit_suspended", default=False)


@contextlib.contextmanager
def audit_suspended():
    token = _suspended.set(True)
    try:
        yield
    finally:
        _suspended.reset(token)


def _request_data(request) -> dict:
    if request is None:
        return {}
    return {
        "ip": client_ip(request),
        "path": request.path[:200],
        "user_agent": request.headers.get("User-Agent", "")[:200],
    }


def _unwrap(obj):
    """request.user is a lazy wrapper (django-otp's middleware adds one); Wagtail's log registry
    looks the model up by type, so hand it the real object."""
    if isinstance(obj, LazyObject):
        if obj._wrapped is empty:
            obj._setup()
        return obj._wrapped
    return obj


def audit(instance, action: str, *, user=None, data: dict | None = None, title: str | None = None):
    """Write one audit entry; never let auditing break the action it records."""
    if _suspended.get():
        return None
    instance, user = _unwrap(instance), _unwrap(user)
    try:
        return log(instance, action, user=user, data=data or {}, title=title)
    except Exception:  # the audit table missing (e.g. mid-migration) must not block a login
        logger.exception("Could not write audit log entry %s", action)
        return None


def _site_for(request):
    from wagtail.models import Site

    site = Site.find_for_request(request) if request is not None else None
    return site or Site.objects.filter(is_default_site=True).first()


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs):
    audit(user, LOGIN, user=user, data=_request_data(request))


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        audit(user, LOGOUT, user=user, data=_request_data(request))


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs):
    username = str(credentials.get("username", ""))[:150]
    data = {"username": username, **_request_data(request)}
    User = get_user_model()
    account = User.objects.filter(**{User.USERNAME_FIELD: username}).first() if username else None
    if account is not None:
        audit(account, LOGIN_FAILED, data=data)
        return
    # An unknown user name has no account to attach the entry to: record it against the site.
    site = _site_for(request)
    if site is not None:
        audit(site, LOGIN_FAILED, data=data, title=f"{site} · {username or '-'}")


def _locked_out(sender, request, username, ip_address, **kwargs):
    User = get_user_model()
    account = User.objects.filter(**{User.USERNAME_FIELD: username}).first() if username else None
    data = {"username": str(username or "")[:150], **_request_data(request), "ip": ip_address}
    target = account or _site_for(request)
    if target is not None:
        audit(target, LOCKED_OUT, data=data)


try:  # django-axes announces lockouts; connected only when it is installed
    from axes.signals import user_locked_out

    user_locked_out.connect(_locked_out, dispatch_uid="ops_locked_out")
except ImportError:  # pragma: no cover
    pass


# --- permission changes ----------------------------------------------------------------------

User = get_user_model()


def _group_names(pks) -> list[str]:
    from django.contrib.auth.models import Group

    return sorted(Group.objects.filter(pk__in=pks).values_list("name", flat=True))


@receiver(m2m_changed, sender=User.groups.through)
def _groups_changed(sender, instance, action, reverse, model, pk_set, **kwargs):
    """Every change of a user's groups, from the admin, profile_set, imports or the shell, with the
    account's groups before and after the change."""
    if _suspended.get():
        return
    through = sender
    if action == "pre_remove" or action == "pre_clear":
        # Django reports the pks it was asked to remove; keep only the memberships that exist.
        pairs = through.objects.filter(**({"user": instance} if not reverse else {"group": instance}))
        if pk_set is not None:
            pairs = pairs.filter(**({"group__in": pk_set} if not reverse else {"user__in": pk_set}))
        instance._ops_removing = list(pairs.values_list("user_id", "group_id"))
        return
    if action in ("post_remove", "post_clear"):
        pairs = getattr(instance, "_ops_removing", [])
        instance._ops_removing = []
        change = "removed"
    elif action == "post_add":
        pairs = [(pk, instance.pk) if reverse else (instance.pk, pk) for pk in (pk_set or ())]
        change = "added"
    else:
        return
    by_user: dict[int, list[int]] = {}
    for user_id, group_id in pairs:
        by_user.setdefault(user_id, []).append(group_id)
    for user_id, group_ids in by_user.items():
        account = instance if not reverse else User.objects.filter(pk=user_id).first()
        if account is None:
            continue
        changed = _group_names(group_ids)
        after = _group_names(through.objects.filter(user_id=user_id).values("group_id"))
        before = sorted(set(after) - set(changed)) if change == "added" else sorted(set(after) | set(changed))
        audit(account, GROUP_MEMBERSHIP, data={change: changed, "before": before, "after": after})


ACCOUNT_FLAG_FIELDS = ("is_superuser", "is_staff", "is_active")


@receiver(pre_save, sender=User)
def _account_flags_changed(sender, instance, raw=False, update_fields=None, **kwargs):
    if raw or instance.pk is None or _suspended.get():
        return
    if update_fields is not None and not set(update_fields) & set(ACCOUNT_FLAG_FIELDS):
        return
    before = User.objects.filter(pk=instance.pk).values(*ACCOUNT_FLAG_FIELDS).first()
    if before is None:
        return
    changes = {f: [before[f], getattr(instance, f)] for f in ACCOUNT_FLAG_FIELDS if before[f] != getattr(instance, f)}
    if changes:
        audit(instance, ACCOUNT_FLAGS, data={"changes": changes})


PROFILE_FIELDS = ("role", "region_id", "school_id", "confirmation")


def _profile_snapshot(values: dict) -> dict:
    from catalogue.models import Region, School

    region = Region.objects.filter(pk=values.get("region_id")).values_list("name", flat=True).first()
    school = School.objects.filter(pk=values.get("school_id")).values_list("name", flat=True).first()
    return {"role": values.get("role"), "region": region, "school": school, "confirmation": values.get("confirmation")}


def _profile_pre_save(sender, instance, raw=False, **kwargs):
    if raw or _suspended.get():
        return
    before = type(instance).objects.filter(pk=instance.pk).values(*PROFILE_FIELDS).first() if instance.pk else None
    instance._ops_profile_before = before


def _profile_post_save(sender, instance, raw=False, created=False, **kwargs):
    if raw or _suspended.get():
        return
    before = getattr(instance, "_ops_profile_before", None)
    after = {f: getattr(instance, f) for f in PROFILE_FIELDS}
    if before is not None and before == after:
        return
    audit(
        instance.user,
        ROLE_CHANGE,
        data={"before": _profile_snapshot(before) if before else None, "after": _profile_snapshot(after)},
    )


def connect_profile_audit():
    """Every change of an account's role, region, school or confirmation, with before and after."""
    from django.db.models.signals import post_save

    from catalogue.models import UserProfile

    pre_save.connect(_profile_pre_save, sender=UserProfile, dispatch_uid="ops_profile_pre_save")
    post_save.connect(_profile_post_save, sender=UserProfile, dispatch_uid="ops_profile_post_save")


def audit_escalation_refused(request, *, target=None, reason: str):
    """A request that tried to raise someone's power (or reach an account above the actor's)."""
    actor = getattr(request, "user", None)
    data = {"reason": str(reason), "actor": actor.get_username() if actor else "", **_request_data(request)}
    data["method"] = request.method
    data["posted"] = sorted(k for k in request.POST.keys() if k != "csrfmiddlewaretoken")[:40]
    audit(
        target if target is not None else (actor if actor and actor.pk else _site_for(request)),
        ESCALATION_REFUSED,
        user=actor if actor and actor.pk else None,
        data=data,
    )


def group_permission_snapshot(group) -> set[str]:
    """Every permission a group holds, as readable strings (model, page and collection permissions)."""
    if group.pk is None:
        return set()
    from wagtail.models import GroupCollectionPermission, GroupPagePermission

    held = {f"{ct}.{codename}" for ct, codename in group.permissions.values_list("content_type__app_label", "codename")}
    for page_id, title, codename in GroupPagePermission.objects.filter(group=group).values_list(
        "page_id", "page__title", "permission__codename"
    ):
        held.add(f"page:{page_id}({title}):{codename}")
    for coll_id, name, codename in GroupCollectionPermission.objects.filter(group=group).values_list(
        "collection_id", "collection__name", "permission__codename"
    ):
        held.add(f"collection:{coll_id}({name}):{codename}")
    return held


def audit_group_permissions(group, before: set[str], *, user=None):
    after = group_permission_snapshot(group)
    added, removed = sorted(after - before), sorted(before - after)
    if added or removed:
        audit(group, GROUP_PERMISSIONS, user=user, data={"added": added, "removed": removed})
