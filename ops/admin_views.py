"""Wagtail's user and group views, with our account rules and audit.

Users: catalogue.permissions decides who may create, edit, deactivate or delete which account (never
one of equal or higher power: another resource admin, a superuser) and which roles an actor may
assign; a non-superuser never sets the superuser or staff flag, groups or raw permissions. A request
that tries to is refused (403) and written to the audit log (ops.escalation_refused).

Groups: Wagtail saves a group's page and collection permissions with bulk_create (no signals), after
the group itself; a before/after snapshot around the whole save is the one reliable record.
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from wagtail.users.views import groups, users

from catalogue.permissions import assignable_roles
from catalogue.selectors import accounts_manageable_by

from .audit import (
    PASSWORD_SET,
    audit,
    audit_escalation_refused,
    audit_group_permissions,
    group_permission_snapshot,
)
from .forms import POWER_FIELDS, account_form_class

User = get_user_model()


# --- groups ----------------------------------------------------------------------------------------


class _AuditedPermissionsMixin:
    def process_form(self):
        before = group_permission_snapshot(self.object) if self.object is not None else set()
        response = super().process_form()
        if self.object is not None and self.object.pk is not None:
            audit_group_permissions(self.object, before, user=self.request.user)
        return response


class CreateView(_AuditedPermissionsMixin, groups.CreateView):
    pass


class EditView(_AuditedPermissionsMixin, groups.EditView):
    pass


class GroupViewSet(groups.GroupViewSet):
    add_view_class = CreateView
    edit_view_class = EditView


# --- users -------------------------------------------------------------------------------------------


def manageable_users(actor):
    """The accounts `actor` may see and manage in the admin's user screens."""
    return accounts_manageable_by(actor)


def refuse(request, *, target=None, reason: str):
    audit_escalation_refused(request, target=target, reason=reason)
    raise PermissionDenied(reason)


class _AccountRulesMixin:
    """Shared by the create and edit views: power fields refused, role fields saved via profile_set."""

    for_update = False

    def dispatch(self, request, *args, **kwargs):
        if request.method == "POST" and not request.user.is_superuser:
            target = getattr(self, "object", None)
            posted = sorted(name for name in POWER_FIELDS if name in request.POST)
            if posted:
                refuse(request, target=target, reason=f"posted power fields: {', '.join(posted)}")
            role = request.POST.get("role")
            if role and role not in assignable_roles(request.user):
                refuse(request, target=target, reason=f"role not assignable by the actor: {role}")
        return super().dispatch(request, *args, **kwargs)

    def get_form_class(self):
        return account_form_class(actor=self.request.user, for_update=self.for_update)

    def save_instance(self):
        from catalogue.services import profile_set

        instance = super().save_instance()
        data = self.form.cleaned_data
        if data.get("password1"):
            audit(instance, PASSWORD_SET, user=self.request.user, data={"by": self.request.user.get_username()})
        profile_set(
            user=instance,
            role=data["role"],
            region=data.get("region"),
            school=data.get("school"),
            display_name=data.get("first_name") or None,
        )
        return instance


class UserIndexView(users.IndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().filter(pk__in=manageable_users(self.request.user).values("pk"))


class UserCreateView(_AccountRulesMixin, users.CreateView):
    pass


class UserEditView(_AccountRulesMixin, users.EditView):
    for_update = True

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.may_manage = manageable_users(request.user).filter(pk=self.object.pk).exists()

    def dispatch(self, request, *args, **kwargs):
        if not self.may_manage:
            refuse(request, target=self.object, reason=_("不能修改权限不低于自己的账号"))
        return super().dispatch(request, *args, **kwargs)


class UserDeleteView(users.DeleteView):
    def dispatch(self, request, *args, **kwargs):
        target = self.get_object()
        if not manageable_users(request.user).filter(pk=target.pk).exists():
            refuse(request, target=target, reason=_("不能删除权限不低于自己的账号"))
        return super().dispatch(request, *args, **kwargs)


class UserViewSet(users.UserViewSet):
    index_view_class = UserIndexView
    add_view_class = UserCreateView
    edit_view_class = UserEditView
    delete_view_class = UserDeleteView
    # Wagtail's user templates lay out a fixed set of fields; the generic ones render the form's
    # fields as they are (the role, region and school; the power fields for superusers only).
    create_template_name = "wagtailadmin/generic/create.html"
    edit_template_name = "wagtailadmin/generic/edit.html"
