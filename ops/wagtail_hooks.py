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
