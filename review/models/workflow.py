"""The campaign's review as Wagtail workflow tasks (the bakerydemo `UserApprovalTask` pattern).

征集评审流程 = CountyReviewTask (县区初审) → ExpertReviewTask (市级评审) → SelectionTask (遴选、公示、发布).

These tasks are thin adapters: `Submission.status` is the one source of truth and changes only in
`review.transitions`, which also moves Wagtail's WorkflowState/TaskState rows so that the admin's
workflow views stay truthful. An action taken in Wagtail's admin (the dashboard's "awaiting your
review" buttons) calls `transitions.apply` from `on_action`; nothing here is called back by a
transition (the tasks' `start` is Wagtail's own).
"""

from django import forms
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.forms import TaskStateCommentForm
from wagtail.models import Task, TaskState

from catalogue.permissions import ALL_REGIONS, Ability, can, region_scope

from .standards import Criterion, VetoItem


def _apply_from_admin(task_state, event: str, user, reason: str = ""):
    """Run a transition for an action taken in Wagtail's admin. A refusal becomes a 403 carrying the
    Chinese message (Wagtail's action view has no place for form errors after the modal)."""
    from .. import transitions

    submission_id = task_state.workflow_state.content_object.specific.submission.pk
    try:
        transitions.apply(submission_id, event, actor=user, reason=reason)
    except ValidationError as error:
        raise PermissionDenied("；".join(error.messages)) from None


class ReasonRequiredForm(TaskStateCommentForm):
    comment = forms.CharField(label=_("理由"), widget=forms.Textarea(attrs={"rows": 3}), required=True)


def _in_progress_for_pages(task, page_ids):
    return task.task_states.filter(
        status=TaskState.STATUS_IN_PROGRESS, workflow_state__object_id__in=[str(pk) for pk in page_ids]
    )


class CountyReviewTaskState(TaskState):
    class Meta:
        verbose_name = _("县区初审记录")
        verbose_name_plural = _("县区初审记录")


class LockedWhileInReview:
    """Under review nobody but a superuser edits the work, and reviewers work on the review desk,
    not in Wagtail's editor; the teacher edits again after a return."""

    def user_can_access_editor(self, obj, user):
        return False

    def locked_for_user(self, obj, user):
        return not user.is_superuser


class CountyReviewTask(LockedWhileInReview, Task):
    """First review by the county reviewers of the submission's own region."""

    task_state_class = CountyReviewTaskState

    def user_can_review(self, obj, user) -> bool:
        from .submissions import Submission

        region_id = Submission.objects.filter(page_id=obj.pk).values_list("region_id", flat=True).first()
        return region_id is not None and can(user, Ability.REVIEW_COUNTY, region=region_id)

    def get_actions(self, obj, user):
        if self.user_can_review(obj, user):
            return [
                ("approve", _("初审通过"), False),
                ("reject", _("退回修改"), True),
                ("decline", _("不予通过"), True),
            ]
        return []

    def get_form_for_action(self, action):
        return ReasonRequiredForm if action in ("reject", "decline") else TaskStateCommentForm

    def on_action(self, task_state, user, action_name, **kwargs):
        events = {"approve": "county_approve", "reject": "county_return", "decline": "county_decline"}
        if action_name not in events:
            raise PermissionDenied
        _apply_from_admin(task_state, events[action_name], user, kwargs.get("comment", ""))

    def get_task_states_user_can_moderate(self, user, **kwargs):
        from .submissions import Submission

        scope = region_scope(user, Ability.REVIEW_COUNTY)
        if scope is None:
            return TaskState.objects.none()
        pages = Submission.objects.all() if scope is ALL_REGIONS else Submission.objects.filter(region_id=scope)
        return _in_progress_for_pages(self, pages.values_list("page_id", flat=True))

    @classmethod
    def get_description(cls):
        return _("申报所在县（区）的初审员审核：通过、退回修改（须写理由）或不予通过（须写理由）。")

    class Meta:
        verbose_name = _("县区初审")
        verbose_name_plural = _("县区初审")


class ExpertReviewTaskState(TaskState):
    class Meta:
        verbose_name = _("市级评审记录")
        verbose_name_plural = _("市级评审记录")


class ExpertReviewTask(LockedWhileInReview, Task):
    """City expert review: two experts score against the rubric, a third when they disagree."""

    task_state_class = ExpertReviewTaskState

    def get_actions(self, obj, user):
        # Scoring needs the rubric form of the review desk, not Wagtail's comment modal.
        return []

    def get_task_states_user_can_moderate(self, user, **kwargs):
        # Double-blind: Wagtail's "awaiting your review" panel names the submitter of the revision,
        # so experts find their work on the review desk only (review_index), never in that panel.
        return TaskState.objects.none()

    @classmethod
    def get_description(cls):
        return _("两位市级专家按质量标准打分；分差过大时增派第三位专家。专家不评本校作品，提交前互不可见。")

    class Meta:
        verbose_name = _("市级专家评审")
        verbose_name_plural = _("市级专家评审")


class SelectionTaskState(TaskState):
    class Meta:
        verbose_name = _("遴选发布记录")
        verbose_name_plural = _("遴选发布记录")


class SelectionTask(LockedWhileInReview, Task):
    """The campaign admin sets the awards, opens the public notice (公示) and publishes."""

    task_state_class = SelectionTaskState

    def get_actions(self, obj, user):
        from ..selectors import publish_blockers

        if not can(user, Ability.RUN_CAMPAIGNS):
            return []
        submission = getattr(obj.specific, "submission", None)
        if submission is None or publish_blockers(submission):
            return []
        # With a modal: publishing is confirmed in Wagtail's dialog too.
        return [("approve", _("入选发布"), True)]

    def on_action(self, task_state, user, action_name, **kwargs):
        if action_name != "approve":
            raise PermissionDenied
        _apply_from_admin(task_state, "publish", user, kwargs.get("comment", ""))

    def get_task_states_user_can_moderate(self, user, **kwargs):
        if can(user, Ability.RUN_CAMPAIGNS):
            return self.task_states.filter(status=TaskState.STATUS_IN_PROGRESS)
        return TaskState.objects.none()

    @classmethod
    def get_description(cls):
        return _("资源管理员按得分排序遴选、评定奖项，公示期满且异议处理完毕后发布入库。")

    class Meta:
        verbose_name = _("遴选发布")
        verbose_name_plural = _("遴选发布")


class ExpertReview(models.Model):
    """One expert's assignment to, and then scores of, one submission in one expert round."""

    class Status(models.TextChoices):
        ASSIGNED = "assigned", _("待评分")
        SUBMITTED = "submitted", _("已评分")
        WITHDRAWN = "withdrawn", _("已改派")
        CLOSED = "closed", _("已结束")

    task_state = models.ForeignKey(ExpertReviewTaskState, on_delete=models.CASCADE, related_name="expert_reviews")
    submission = models.ForeignKey("review.Submission", on_delete=models.CASCADE, related_name="expert_reviews")
    expert = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("专家"), on_delete=models.PROTECT, related_name="expert_reviews"
    )
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.ASSIGNED)
    is_third = models.BooleanField(_("第三位专家"), default=False)
    vetoes = models.ManyToManyField(VetoItem, verbose_name=_("否决项"), blank=True, related_name="+")
    comment = models.TextField(_("总体评语"), blank=True)
    total = models.DecimalField(_("总分"), max_digits=5, decimal_places=2, null=True, blank=True)
    assigned_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("专家评审")
        verbose_name_plural = _("专家评审")
        ordering = ["assigned_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["task_state", "expert"],
                condition=~models.Q(status="withdrawn"),
                name="one_live_review_per_expert_per_round",
            )
        ]

    def __str__(self):
        return f"{self.submission_id}/{self.expert_id}: {self.get_status_display()}"


class CriterionScore(models.Model):
    review = models.ForeignKey(ExpertReview, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="scores")
    score = models.DecimalField(max_digits=5, decimal_places=2)
    comment = models.CharField(max_length=500, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["review", "criterion"], name="one_score_per_criterion")]

    def __str__(self):
        return f"{self.criterion_id}: {self.score}"
