"""Keeping Wagtail's workflow rows (WorkflowState / TaskState) in step with `Submission.status`.

Only `review.transitions` calls these, after it has decided the next state: Wagtail's rows follow,
so that the admin's workflow views (dashboard, page status, workflow history) stay truthful. Nothing
here decides anything or calls back into the transitions (the tasks' `start` is Wagtail's own).

Expert decisions finish task states without a user, so that the page's workflow history, which the
admin shows to anyone who may see the page, never names an expert.
"""

from django.utils import timezone
from wagtail.models import TaskState, WorkflowState

from .models import ExpertReviewTask, Submission
from .services.setup import review_workflow_ensure


def _state(submission: Submission) -> WorkflowState | None:
    return submission.page.current_workflow_state


def current_task_state(submission: Submission) -> TaskState | None:
    return submission.page.current_workflow_task_state


def enter_review(submission: Submission, *, user, resume: bool) -> TaskState:
    """Start the workflow (first entry, or after a withdrawal), or resume it at the task that
    returned the work (`resume`). Returns the task state now in progress."""
    state = _state(submission)
    if resume and state is not None and state.status == WorkflowState.STATUS_NEEDS_CHANGES:
        state.resume(user=user)
    else:
        if state is not None:
            state.cancel(user=user)
        review_workflow_ensure().start(submission.page, user)
    return current_task_state(submission)


def approve(submission: Submission, *, user, comment: str = "") -> TaskState | None:
    """Approve the current task; Wagtail starts the next (or finishes the workflow and publishes
    the latest revision, after the last). Returns the task state now in progress, if any."""
    current_task_state(submission).approve(user=user, comment=comment)
    return current_task_state(submission)


def send_back(submission: Submission, *, user, comment: str) -> None:
    """Return for revision: the current task is rejected and the workflow needs changes."""
    current_task_state(submission).reject(user=user, comment=comment)


def cancel(submission: Submission, *, user) -> None:
    """Stop the workflow (withdrawn from county review, or not passed)."""
    state = _state(submission)
    if state is not None:
        state.cancel(user=user)


def back_to_expert_review(submission: Submission, *, user, comment: str) -> TaskState:
    """From selection back to a new city expert round (an upheld objection): the selection task is
    cancelled without starting it again, and the workflow moves to the expert task."""
    state = _state(submission)
    task_state = state.current_task_state
    task_state.status = TaskState.STATUS_CANCELLED
    task_state.finished_at = timezone.now()
    task_state.finished_by = user
    task_state.comment = comment
    task_state.save()
    expert_task = ExpertReviewTask.objects.filter(workflow_tasks__workflow=state.workflow).first()
    state.update(user=user, next_task=expert_task)
    return current_task_state(submission)
