"""Models of the review app: quality standards, submissions, the workflow tasks and expert reviews.

Re-exported here so `from review.models import Submission` keeps working as the package grows.
"""

from .intake import DraftToken, FileCheck, FileIntake
from .standards import CampaignReview, Criterion, QualityStandard, VetoItem
from .submissions import (
    Award,
    DocumentFingerprint,
    ExpertProfile,
    Notification,
    Stage,
    Submission,
)
from .workflow import (
    CountyReviewTask,
    CountyReviewTaskState,
    CriterionScore,
    ExpertReview,
    ExpertReviewTask,
    ExpertReviewTaskState,
    SelectionTask,
    SelectionTaskState,
)

__all__ = [
    "Award",
    "CampaignReview",
    "CountyReviewTask",
    "CountyReviewTaskState",
    "Criterion",
    "CriterionScore",
    "DocumentFingerprint",
    "DraftToken",
    "ExpertProfile",
    "ExpertReview",
    "ExpertReviewTask",
    "ExpertReviewTaskState",
    "FileCheck",
    "FileIntake",
    "Notification",
    "QualityStandard",
    "SelectionTask",
    "SelectionTaskState",
    "Stage",
    "Submission",
    "VetoItem",
]
