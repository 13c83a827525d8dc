"""The review history (评审记录) of a submission, in its own table.

Written only by `review.transitions` (one row per transition, plus the system's notes such as an
expert assignment or the final score), read through `review.selectors.history_for`, which redacts it
for each role. It is business data: the security audit log and its retention purge
(`purge_audit_log`) never touch it.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ReviewEvent(models.Model):
    class Role(models.TextChoices):
        TEACHER = "teacher", _("申报教师")
        COUNTY_REVIEWER = "county_reviewer", _("县区初审员")
        CITY_EXPERT = "city_expert", _("评审专家")
        RESOURCE_ADMIN = "resource_admin", _("活动管理员")
        OBJECTOR = "objector", _("公示异议人")
        SYSTEM = "system", _("系统")

    submission = models.ForeignKey(
        "review.Submission", verbose_name=_("申报"), on_delete=models.CASCADE, related_name="events"
    )
    # Who acted; null for the system, and after the account was erased (the role stays).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="review_events",
    )
    actor_role = models.CharField(_("角色"), max_length=20, choices=Role.choices)
    action = models.CharField(_("操作"), max_length=40)
    from_state = models.CharField(_("原状态"), max_length=20, blank=True)
    to_state = models.CharField(_("新状态"), max_length=20, blank=True)
    round = models.PositiveIntegerField(_("提交轮次"), default=0)
    reason = models.TextField(_("理由/意见"), blank=True)
    data = models.JSONField(_("详情"), default=dict, blank=True)
    created_at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("评审记录")
        verbose_name_plural = _("评审记录")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["submission", "created_at"])]

    def __str__(self):
        return f"{self.submission_id} {self.action} {self.from_state}→{self.to_state}"


# What each history action is called where people read it (the desk, the teacher's page, exports).
ACTION_LABELS = {
    "submit": _("提交评审"),
    "resubmit": _("修改后重新提交"),
    "checks_done": _("技术检测完成"),
    "withdraw": _("教师撤回申报"),
    "county_approve": _("县区初审通过"),
    "county_return": _("县区初审退回修改"),
    "county_decline": _("县区初审不予通过"),
    "expert_assign": _("分配评审专家"),
    "reassign": _("改派评审专家"),
    "score": _("专家提交评分"),
    "third_expert": _("分差过大，增派第三位专家"),
    "veto": _("一票否决，未通过"),
    "below_pass": _("低于合格线，未通过"),
    "expert_done": _("市级评审完成"),
    "expert_return": _("市级评审退回修改"),
    "set_award": _("评定奖项"),
    "open_publicity": _("进入公示"),
    "object": _("收到公示异议"),
    "dismiss_objection": _("异议不成立"),
    "uphold_objection": _("异议成立，重新评审"),
    "publish": _("入库发布"),
}
