"""One person's data: export it (JSON) and erase it (the account is anonymised, not deleted).

Each app says what it stores about a person in `PersonalDataHandler`s, registered with the Wagtail
hook `register_personal_data` in the app's wagtail_hooks.py (the handlers themselves live in the
app's personal_data.py), so ops imports no app:

    @hooks.register("register_personal_data")
    def review_personal_data():
        return personal_data.HANDLERS          # a list of PersonalDataHandler

A handler names the user links it answers for in `covers` ("app_label.Model.field", the model that
declares the field): tests/hardening/test_personal_data_coverage.py walks every installed model
with a foreign key, one-to-one or many-to-many to the user model and fails when one is covered by
no handler and is not in ALLOWED_UNHANDLED below. Adding a model with a user link therefore means
adding it to a handler: what the export shows of it, and what erasure does to it.

The handlers below cover Django's and Wagtail's own models. Erasure runs every app's handler, then
anonymises the account row itself (it is never deleted: resources, review records and counted
access events keep their foreign keys, and official figures must stay reproducible), so nothing
left points to who the person was.
"""

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from wagtail import hooks

from .audit import PERSONAL_DATA_DELETE, PERSONAL_DATA_EXPORT, audit

ANONYMOUS_NAME = "已注销用户"

# User links no handler covers, each with the reason. Keep it empty if you can.
ALLOWED_UNHANDLED: dict[str, str] = {}


@dataclass(frozen=True)
class PersonalDataHandler:
    """What one app stores about a person, and how it is exported and erased.

    - section: the key of this part in the export;
    - covers: the user links ("app_label.Model.field") this handler answers for;
    - export(user) -> JSON-serialisable data;
    - erase(user) -> number of records deleted or anonymised (records kept as they are, e.g. review
      decisions that must stay on file, count 0: the anonymised account is all they point to);
    - erasure: one sentence, in Chinese, of what erasure does to this part (shown in the export).
    """

    section: str
    covers: tuple[str, ...]
    export: Callable
    erase: Callable
    erasure: str
    order: int = field(default=100, compare=False)  # lower runs first (the account row goes last)


def handlers() -> list[PersonalDataHandler]:
    found = list(CORE_HANDLERS)
    for fn in hooks.get_hooks("register_personal_data"):
        found.extend(fn() or [])
    sections = [h.section for h in found]
    duplicates = {s for s in sections if sections.count(s) > 1}
    if duplicates:
        raise ValueError(f"Two personal-data handlers share a section: {sorted(duplicates)}")
    return sorted(found, key=lambda h: h.order)


def covered_links() -> set[str]:
    return {link for handler in handlers() for link in handler.covers}


def personal_data_collect(*, user) -> dict:
    """Everything stored about `user`, as JSON-serialisable data."""
    data = {"exported_at": timezone.now().isoformat()}
    erasure = {}
    for handler in handlers():
        data[handler.section] = handler.export(user)
        erasure[handler.section] = handler.erasure
    data["on_erasure"] = erasure
    return data


def personal_data_export(*, user, actor=None) -> dict:
    data = personal_data_collect(user=user)
    audit(user, PERSONAL_DATA_EXPORT, user=actor)
    return data


@transaction.atomic
def personal_data_erase(*, user, actor=None) -> dict:
    """Erase `user` everywhere: each handler's part, then the account (see the module docstring)."""
    user._erasure_pseudonym = f"deleted-{user.pk}-{secrets.token_hex(4)}"
    audit(user, PERSONAL_DATA_DELETE, user=actor, data={"pseudonym": user._erasure_pseudonym})
    summary = {}
    for handler in handlers():
        summary[handler.section] = handler.erase(user)
    user.refresh_from_db()
    return summary


# --- Django's and Wagtail's own models ---------------------------------------------------------------


def _iso(moment):
    return moment.isoformat() if moment else None


def _user_content_type():
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(get_user_model())


def _log_entries_about(user):
    from wagtail.models import ModelLogEntry

    return ModelLogEntry.objects.filter(content_type=_user_content_type(), object_id=str(user.pk))


def _export_account(user) -> dict:
    return {
        "username": user.get_username(),
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "is_active": user.is_active,
        "date_joined": _iso(user.date_joined),
        "last_login": _iso(user.last_login),
        "groups": sorted(user.groups.values_list("name", flat=True)),
        "permissions": sorted(f"{p.content_type.app_label}.{p.codename}" for p in user.user_permissions.all()),
    }


def _erase_account(user) -> int:
    """The account row last: no name, e-mail, password, login history, group or permission left."""
    User = get_user_model()
    User.objects.filter(pk=user.pk).update(
        **{User.USERNAME_FIELD: user._erasure_pseudonym},
        first_name="",
        last_name="",
        email="",
        password="!" + secrets.token_urlsafe(24),  # unusable
        is_active=False,
        is_staff=False,
        is_superuser=False,
        last_login=None,
    )
    user.refresh_from_db()  # the group change is audited under the pseudonym, not the name
    user.groups.clear()
    user.user_permissions.clear()
    return 1


def _user_sessions(user):
    from django.contrib.sessions.models import Session

    return [s for s in Session.objects.all().iterator() if s.get_decoded().get("_auth_user_id") == str(user.pk)]


def _erase_sessions(user) -> int:
    sessions = _user_sessions(user)
    for session in sessions:
        session.delete()
    return len(sessions)


def _login_attempts(user):
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    name = user.get_username()
    return [model.objects.filter(username=name) for model in (AccessAttempt, AccessFailureLog, AccessLog)]


def _export_login_attempts(user) -> list[dict]:
    return [
        {"time": _iso(getattr(row, "attempt_time", None)), "ip": row.ip_address, "user_agent": row.user_agent}
        for queryset in _login_attempts(user)
        for row in queryset
    ]


def _export_audit_log(user) -> dict:
    from wagtail.models import ModelLogEntry, PageLogEntry

    return {
        "about_you": [
            {"time": _iso(e.timestamp), "action": e.action, "data": e.data}
            for e in _log_entries_about(user).order_by("timestamp")
        ],
        "by_you": [
            {"time": _iso(e.timestamp), "action": e.action, "object": e.label}
            for model in (ModelLogEntry, PageLogEntry)
            for e in model.objects.filter(user=user).order_by("timestamp")
        ],
    }


def _erase_audit_log(user) -> int:
    """Audit entries are kept for their retention period (a legal duty) but lose the name and the
    browser; entries of actions by the user point to the anonymised account."""
    from wagtail.models import ModelLogEntry

    entries = list(_log_entries_about(user))
    for entry in entries:
        entry.label = user._erasure_pseudonym
        if isinstance(entry.data, dict):
            entry.data = {k: v for k, v in entry.data.items() if k not in ("username", "user_agent")}
        entry.save(update_fields=["label", "data"])
    failed = ModelLogEntry.objects.filter(action="ops.login_failed", data__username=user.get_username()).update(
        label=user._erasure_pseudonym, data={}
    )
    return len(entries) + failed


def _export_pages(user) -> dict:
    from wagtail.models import Page

    def describe(page):
        return {
            "id": page.pk,
            "title": page.title,
            "type": str(page.specific_class._meta.verbose_name) if page.specific_class else "",
            "live": page.live,
            "url_path": page.url_path,
        }

    return {
        "owned": [describe(p) for p in Page.objects.filter(owner=user).order_by("pk")],
        "locked": [describe(p) for p in Page.objects.filter(locked_by=user).order_by("pk")],
    }


def _erase_pages(user) -> int:
    """Pages stay (published resources are the bureau's catalogue), owned by the anonymised
    account; the user's edit locks are released."""
    from wagtail.models import Page

    return Page.objects.filter(locked_by=user).update(locked=False, locked_by=None, locked_at=None)


def _export_revisions(user) -> list[dict]:
    from wagtail.models import Revision

    return [
        {"time": _iso(r.created_at), "object": r.object_str, "content_type": str(r.content_type)}
        for r in Revision.objects.filter(user=user).select_related("content_type").order_by("created_at")
    ]


def _export_comments(user) -> dict:
    from wagtail.models import Comment, CommentReply

    return {
        "comments": [
            {"time": _iso(c.created_at), "page": c.page_id, "text": c.text}
            for c in Comment.objects.filter(user=user).order_by("created_at")
        ],
        "replies": [
            {"time": _iso(r.created_at), "comment": r.comment_id, "text": r.text}
            for r in CommentReply.objects.filter(user=user).order_by("created_at")
        ],
        "resolved": Comment.objects.filter(resolved_by=user).count(),
    }


def _export_admin_state(user) -> dict:
    from wagtail.admin.models import EditingSession, FormState
    from wagtail.models import PageSubscription

    return {
        "page_subscriptions": list(
            PageSubscription.objects.filter(user=user).values("page_id", "comment_notifications")
        ),
        "editing_sessions": EditingSession.objects.filter(user=user).count(),
        "autosaved_forms": [
            {"object": f.object_id, "saved": _iso(f.last_updated_at), "data": f.data}
            for f in FormState.objects.filter(user=user)
        ],
    }


def _erase_admin_state(user) -> int:
    from wagtail.admin.models import EditingSession, FormState
    from wagtail.models import PageSubscription

    return sum(model.objects.filter(user=user).delete()[0] for model in (PageSubscription, EditingSession, FormState))


def _export_api_tokens(user) -> list[dict]:
    from wagtail.models import APIToken

    return [
        {"name": t.name, "prefix": t.prefix, "created": _iso(t.created), "revoked": _iso(t.revoked_at)}
        for t in APIToken.objects.filter(user=user)
    ]


def _erase_api_tokens(user) -> int:
    from wagtail.models import APIToken

    return APIToken.objects.filter(user=user).delete()[0]


def _export_admin_profile(user) -> dict | None:
    from wagtail.users.models import UserProfile

    profile = UserProfile.objects.filter(user=user).first()
    if profile is None:
        return None
    return {
        "preferred_language": profile.preferred_language,
        "time_zone": profile.current_time_zone,
        "theme": profile.theme,
        "avatar": bool(profile.avatar),
    }


def _erase_admin_profile(user) -> int:
    from wagtail.users.models import UserProfile

    count = 0
    for profile in UserProfile.objects.filter(user=user):
        if profile.avatar:
            profile.avatar.delete(save=False)  # a photo of the person
        profile.delete()
        count += 1
    return count


def _export_uploads(user) -> dict:
    from wagtail.documents import get_document_model
    from wagtail.images import get_image_model
    from wagtail.models import UploadedFile

    return {
        "documents": list(get_document_model().objects.filter(uploaded_by_user=user).values("id", "title")),
        "images": list(get_image_model().objects.filter(uploaded_by_user=user).values("id", "title")),
        "unfinished_uploads": UploadedFile.objects.filter(uploaded_by_user=user).count(),
    }


def _erase_uploads(user) -> int:
    """Documents and images stay (they are resources' files), uploaded by the anonymised account;
    unfinished uploads are deleted with their files."""
    from wagtail.models import UploadedFile

    count = 0
    for upload in UploadedFile.objects.filter(uploaded_by_user=user):
        upload.file.delete(save=False)
        upload.delete()
        count += 1
    return count


def _export_workflow(user) -> dict:
    from wagtail.models import TaskState, WorkflowState

    return {
        "submitted_for_moderation": [
            {"object": w.object_id, "status": w.status, "time": _iso(w.created_at)}
            for w in WorkflowState.objects.filter(requested_by=user).order_by("created_at")
        ],
        "decided": [
            {"task": str(t.task), "status": t.status, "time": _iso(t.finished_at)}
            for t in TaskState.objects.filter(finished_by=user).select_related("task").order_by("finished_at")
        ],
    }


def _keep(user) -> int:
    return 0


CORE_HANDLERS = [
    PersonalDataHandler(
        section="account",
        covers=("auth.User_groups.user", "auth.User_user_permissions.user"),
        export=_export_account,
        erase=_erase_account,
        erasure="用户名改为匿名编号，姓名、邮箱清空，密码作废，账号停用，退出所有用户组与权限。",
        order=1000,
    ),
    PersonalDataHandler(
        section="sessions",
        covers=(),
        export=lambda user: {"active": len(_user_sessions(user))},
        erase=_erase_sessions,
        erasure="所有登录会话失效。",
    ),
    PersonalDataHandler(
        section="login_attempts",
        covers=(),
        export=_export_login_attempts,
        erase=lambda user: sum(q.delete()[0] for q in _login_attempts(user)),
        erasure="登录失败与锁定记录（含 IP 地址和浏览器标识）删除。",
    ),
    PersonalDataHandler(
        section="audit_log",
        covers=("wagtailcore.ModelLogEntry.user", "wagtailcore.PageLogEntry.user"),
        export=_export_audit_log,
        erase=_erase_audit_log,
        erasure="审计日志按法定期限保留，但其中的用户名和浏览器标识被替换或删除。",
    ),
    PersonalDataHandler(
        section="pages",
        covers=("wagtailcore.Page.owner", "wagtailcore.Page.locked_by"),
        export=_export_pages,
        erase=_erase_pages,
        erasure="页面（含已发布的资源）保留，归属改为匿名账号；本人加的编辑锁解除。",
    ),
    PersonalDataHandler(
        section="revisions",
        covers=("wagtailcore.Revision.user",),
        export=_export_revisions,
        erase=_keep,
        erasure="编辑历史保留，只指向匿名账号。",
    ),
    PersonalDataHandler(
        section="editor_comments",
        covers=("wagtailcore.Comment.user", "wagtailcore.Comment.resolved_by", "wagtailcore.CommentReply.user"),
        export=_export_comments,
        erase=_keep,
        erasure="编辑批注作为审核记录保留，只指向匿名账号。",
    ),
    PersonalDataHandler(
        section="admin_state",
        covers=("wagtailcore.PageSubscription.user", "wagtailadmin.EditingSession.user", "wagtailadmin.FormState.user"),
        export=_export_admin_state,
        erase=_erase_admin_state,
        erasure="页面订阅、正在编辑标记和自动保存的表单内容删除。",
    ),
    PersonalDataHandler(
        section="api_tokens",
        covers=("wagtailcore.APIToken.user",),
        export=_export_api_tokens,
        erase=_erase_api_tokens,
        erasure="接口令牌删除。",
    ),
    PersonalDataHandler(
        section="admin_profile",
        covers=("wagtailusers.UserProfile.user",),
        export=_export_admin_profile,
        erase=_erase_admin_profile,
        erasure="后台个人设置和头像删除。",
    ),
    PersonalDataHandler(
        section="uploads",
        covers=(
            "wagtaildocs.Document.uploaded_by_user",
            "wagtailimages.Image.uploaded_by_user",
            "wagtailcore.UploadedFile.uploaded_by_user",
        ),
        export=_export_uploads,
        erase=_erase_uploads,
        erasure="资源中的文档和图片保留（上传者显示为匿名账号）；未完成的上传连同文件删除。",
    ),
    PersonalDataHandler(
        section="workflow",
        covers=("wagtailcore.WorkflowState.requested_by", "wagtailcore.TaskState.finished_by"),
        export=_export_workflow,
        erase=_keep,
        erasure="送审和审核决定作为审核记录保留（审必留痕），只指向匿名账号。",
    ),
]
