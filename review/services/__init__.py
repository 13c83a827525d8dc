"""Writes of the review app, split by actor. Keyword-only, typed.

Every change of a submission's review state is a transition of the one state machine,
`review.transitions.apply` (row lock, guard, effects, review history, audit log, signal); the
modules here are the actors' entry points to it:

- `submitting` — the teacher submits, resubmits, withdraws (撤回); `drafts` (saving drafts) and
  `files` (storing uploads, the files verdict) are the intake side;
- `county` — the county reviewer's decisions;
- `experts` — scoring, returning, reassignment;
- `selection` — awards and publication; `publicity` — the public notice and objections;
- `notifications` — a user's own notifications; `setup` — workflow, campaign settings, standards.

The transitions use only the leaf modules below them (`review.notify`, `review.assignment`,
`review.wagtail_workflow`, `services.files`, `services.setup`); nothing they call calls back up.
"""

from .common import TWO, SubmissionError, require_admin  # noqa: F401
from .county import county_decide  # noqa: F401
from .drafts import submission_save  # noqa: F401
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
from .publicity import objection_file, objection_resolve, publicity_open  # noqa: F401
from .selection import awards_apply_thresholds, submission_award_set, submissions_publish  # noqa: F401
from .setup import (  # noqa: F401
    WORKFLOW_NAME,
    campaign_review_ensure,
    current_campaign,
    quality_standard_new_version,
    review_workflow_ensure,
)
from .submitting import submission_submit, submission_withdraw  # noqa: F401
