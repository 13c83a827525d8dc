"""Wagtail's group views, with the permission changes of each save written to the audit log.

Wagtail saves a group's page and collection permissions with bulk_create (no signals), after
the group itself; a before/after snapshot around the whole save is the one reliable record.
"""

from wagtail.users.views import groups

from .audit import audit_group_permissions, group_permission_snapshot


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
