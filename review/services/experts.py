"""City expert review (市级专家评审): scoring, returning and the admin's reassignment, as transitions.

Choosing experts lives in `review.assignment` and the scoring rule in `review.scoring` (both used by
the transitions); they are re-exported here under their old names.
"""

from .. import transitions
from ..assignment import expert_candidates, experts_assign  # noqa: F401
from ..models import ExpertReview, Submission
from ..scoring import final_score  # noqa: F401


def expert_score(*, review: ExpertReview, user, scores: dict, vetoes=(), comment: str) -> ExpertReview:
    """Record one expert's veto marks and criterion scores; the round settles when complete.

    `scores` maps criterion id to (score, comment)."""
    transitions.apply(
        review.submission_id,
        "score",
        actor=user,
        data={"review_id": review.pk, "scores": scores, "vetoes": list(vetoes), "comment": comment},
    )
    return ExpertReview.objects.get(pk=review.pk)


def expert_return(*, review: ExpertReview, user, reason: str) -> Submission:
    """An expert sends the work back to the teacher; resubmission resumes at city expert review."""
    return transitions.apply(
        review.submission_id, "expert_return", actor=user, reason=reason, data={"review_id": review.pk}
    )


def expert_reassign(*, review: ExpertReview, new_expert, user) -> ExpertReview:
    """An admin moves a pending assignment to another expert (never one from the submission's school)."""
    transitions.apply(
        review.submission_id, "reassign", actor=user, data={"review_id": review.pk, "expert_id": new_expert.pk}
    )
    return ExpertReview.objects.get(
        task_state=review.task_state, expert=new_expert, status=ExpertReview.Status.ASSIGNED
    )
