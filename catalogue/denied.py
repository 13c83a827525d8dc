"""Refusals that say why. `raise Denied(OTHER_REGION)` instead of a bare PermissionDenied: the 403
page (catalogue.errors) shows the reason. Only reasons raised this way are shown, never the text
of another PermissionDenied (which may be English, or say more than the person may know)."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

LOGIN_FIRST = _("请先登录，再打开这个页面。")
OTHER_REGION = _("这件作品属于其他县区，您只能查看本县区提交的作品。")
NOT_SUBMITTED_YET = _("这件作品还没有提交到县区初审，暂时不能查看。")
NOT_ASSIGNED = _("这件作品没有分配给您评审。")
NOT_YOURS = _("这件作品不是您申报的，只有申报教师本人可以查看和修改。")
TEACHERS_ONLY = _("只有教师账号可以申报作品。")
REVIEWERS_ONLY = _("只有县区初审员、市级评审专家和资源管理员可以进入评审台。")
ADMIN_ONLY = _("只有资源管理员可以进行这项操作。")
DRAFT_FILE = _("这份文件属于尚未发布的作品，只有作品的作者和评审人员可以查看。")


class Denied(PermissionDenied):
    """PermissionDenied with a reason written for the person who was refused."""

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason
