"""Writes of the review app, split by actor. Keyword-only, typed; every transition is atomic, checks
the current state, logs to Wagtail's audit log, then sends `review.signals.submission_changed`.

Audit log entries of the review live on the Submission (a ModelLogEntry), with the acting user;
Wagtail's own workflow entries live on the page. Expert actions are recorded there with the expert
for the audit, while the page's workflow history and the teacher's history never name an expert.
"""

from .common import TWO, SubmissionError, stage_of_current_task  # noqa: F401
from .county import county_decide, county_reviewer_may_act  # noqa: F401
from .drafts import submission_save, submission_submit  # noqa: F401
from .experts import expert_candidates, expert_reassign, expert_return, expert_score, experts_assign, final_score  # noqa: F401
from .files import (  # noqa: F401
    FILE_KIND_FOR_TYPE,
    UPLOAD_COLLECTION,
    FilesVerdict,
    StorageFault,
    document_fingerprint,
    duplicate_messages,
    files_report,
    files_verdict,
    upload_collection,
    uploads_stage,
)
from .notifications import (  # noqa: F401
    county_reviewers,
    notifications_mark_read,
    notify,
    notify_teacher,
    resource_admins,
    review_link,
    teacher_link,
)
from .selection import awards_apply_thresholds, require_admin, submission_award_set, submissions_publish  # noqa: F401
from .setup import (  # noqa: F401
    WORKFLOW_NAME,
    campaign_review_ensure,
    current_campaign,
    quality_standard_new_version,
    review_workflow_ensure,
)
