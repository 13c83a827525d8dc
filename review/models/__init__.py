"""Models of the review app: quality standards, submissions, the workflow tasks and expert reviews.

Re-exported here so `from review.models import Submission` keeps working as the package grows.
"""

from .history import ReviewEvent
from .intake import DraftToken, FileCheck, FileIntake, ResumableUpload
from .publicity import Objection, Publicity, PublicityItem
from .standards import CampaignReview, Criterion, QualityStandard, VetoItem
from .submissions import (
    TEACHER_EDITABLE,
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
    "Objection",
    "Publicity",
    "PublicityItem",
    "QualityStandard",
    "ResumableUpload",
    "ReviewEvent",
    "SelectionTask",
    "SelectionTaskState",
    "Stage",
    "Submission",
    "TEACHER_EDITABLE",
    "VetoItem",
]
