"""What every actor's services share: the teacher-facing error and the stage a workflow task means."""

from decimal import Decimal

from django.core.exceptions import ValidationError

from ..models import (
    CountyReviewTaskState,
    ExpertReviewTaskState,
    SelectionTaskState,
    Stage,
)

TWO = Decimal("0.01")


class SubmissionError(ValidationError):
    """A teacher-facing refusal: the messages say what to do."""


def stage_of_current_task(submission) -> str:
    task_state = submission.page.current_workflow_task_state
    if isinstance(task_state, CountyReviewTaskState):
        return Stage.COUNTY_REVIEW
    if isinstance(task_state, ExpertReviewTaskState):
        return Stage.EXPERT_REVIEW
    if isinstance(task_state, SelectionTaskState):
        return Stage.APPROVED
    return submission.status
