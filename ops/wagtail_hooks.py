from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from . import audit


@hooks.register("register_log_actions")
def register_security_actions(actions):
    """The ops.* action types, labelled in Chinese in the audit-log report's filter."""
    actions.register_action(audit.LOGIN, _("登录"), _("登录成功"))
    actions.register_action(audit.LOGOUT, _("退出登录"), _("退出登录"))
    actions.register_action(audit.LOGIN_FAILED, _("登录失败"), _("登录失败（用户名或密码错误）"))
    actions.register_action(audit.LOCKED_OUT, _("账号锁定"), _("连续登录失败，账号已被临时锁定"))
    actions.register_action(audit.GROUP_MEMBERSHIP, _("用户组变更"), _("用户所属的用户组（角色）已变更"))
    actions.register_action(audit.ACCOUNT_FLAGS, _("账号状态变更"), _("账号的启用、后台或超级管理员权限已变更"))
    actions.register_action(audit.GROUP_PERMISSIONS, _("用户组权限变更"), _("用户组的页面、文件库或模型权限已变更"))
    actions.register_action(audit.PERSONAL_DATA_EXPORT, _("导出个人信息"), _("导出了该用户的个人信息"))
    actions.register_action(audit.PERSONAL_DATA_DELETE, _("删除个人信息"), _("该用户的个人信息已删除（账号已匿名化）"))
    actions.register_action(audit.BACKUP, _("备份"), _("创建了数据库和媒体文件备份"))
    actions.register_action(audit.RESTORE, _("恢复"), _("从备份恢复了数据库和媒体文件"))
    actions.register_action(audit.ROLE_CHANGE, _("角色变更"), _("账号的角色、县区、学校或身份确认状态已变更"))
    actions.register_action(
        audit.ESCALATION_REFUSED, _("越权操作被拒绝"), _("试图提升权限或修改更高权限账号的操作被拒绝")
    )
    actions.register_action(audit.PASSWORD_SET, _("管理员重设密码"), _("管理员为该账号设置了新密码"))
    actions.register_action(audit.TWO_FACTOR_ENROLLED, _("启用双因素认证"), _("账号已绑定动态口令并生成恢复码"))
    actions.register_action(audit.TWO_FACTOR_RESET, _("重置双因素认证"), _("超级管理员重置了该账号的双因素认证"))
    actions.register_action(audit.TWO_FACTOR_FAILED, _("动态口令错误"), _("双因素认证的动态口令或恢复码错误"))
    actions.register_action(audit.TWO_FACTOR_RECOVERY_USED, _("使用恢复码"), _("使用一次性恢复码完成了双因素认证"))
    actions.register_action(audit.FEDERATED_LOGIN, _("统一身份认证登录"), _("通过统一身份认证平台登录"))
    actions.register_action(audit.TEACHER_CONFIRMATION, _("教师身份确认"), _("县区确认或驳回了教师的学校"))


# --- bulk actions on users: only accounts the actor may manage; groups only by superusers ---------


def _user_bulk_actions():
    from wagtail.users.views.bulk_actions import AssignRoleBulkAction, DeleteBulkAction, SetActiveStateBulkAction

    from .admin_views import manageable_users

    def managed(action, obj):
        return manageable_users(action.request.user).filter(pk=obj.pk).exists()

    class AuditRefused:
        def get_actionable_objects(self):
            objects, without_access = super().get_actionable_objects()
            if self.request.method == "POST":
                for target in without_access.get("items_with_no_access", []):
                    audit.audit_escalation_refused(
                        self.request,
                        target=target,
                        reason=f"bulk {self.action_type} on an account the actor may not manage",
                    )
            return objects, without_access

    class ScopedAssignRole(AuditRefused, AssignRoleBulkAction):
        def check_perm(self, obj):
            return self.request.user.is_superuser and super().check_perm(obj)

    class ScopedSetActiveState(AuditRefused, SetActiveStateBulkAction):
        def check_perm(self, obj):
            return super().check_perm(obj) and managed(self, obj)

    class ScopedDelete(AuditRefused, DeleteBulkAction):
        def check_perm(self, obj):
            return super().check_perm(obj) and managed(self, obj)

    return ScopedAssignRole, ScopedSetActiveState, ScopedDelete


# Registered after Wagtail's own (order=100), so these replace the stock user bulk actions.
for _action in _user_bulk_actions():
    hooks.register("register_bulk_action", _action, order=100)


@hooks.register("before_bulk_action")
def refuse_bulk_escalation(request, action_type, objects, action_class_instance):
    """However the request was built, a bulk action on accounts above the actor, or assigning
    groups as a non-superuser, is refused (403) and audited."""
    from django.contrib.auth import get_user_model
    from django.core.exceptions import PermissionDenied

    from .admin_views import manageable_users

    if getattr(action_class_instance, "model", None) is not get_user_model():
        return None
    user = request.user
    if action_type == "assign_role" and not user.is_superuser:
        audit.audit_escalation_refused(request, reason="bulk assign_role (groups) by a non-superuser")
        raise PermissionDenied
    allowed = set(manageable_users(user).filter(pk__in=[o.pk for o in objects]).values_list("pk", flat=True))
    refused = [o for o in objects if o.pk not in allowed]
    if refused:
        for target in refused:
            audit.audit_escalation_refused(
                request, target=target, reason=f"bulk {action_type} on an account above the actor"
            )
        raise PermissionDenied
    return None
