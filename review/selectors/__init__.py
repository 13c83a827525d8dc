"""Reads of the review app: who may see what, queues and ranking, the review history as each role
may read it, what an expert is shown of files, the public notice, and the campaign report.

Re-exported here so `from review import selectors` keeps working as the package grows.
"""

from .access import (  # noqa: F401
    COUNTY_HIDDEN,
    county_queue,
    criterion_means,
    current_round_reviews,
    expert_queue,
    is_campaign_admin,
    live_review_for,
    ranking,
    standard_in_force,
    submission_access,
    submissions_base,
    teacher_submissions,
)
from .files import (  # noqa: F401
    desk_files,
    desk_images,
    file_download_name,
    image_download_name,
    redact_checks,
)
from .history import ACTOR_LABELS, history_for  # noqa: F401
from .publicity import (  # noqa: F401
    award_threshold_plan,
    campaign_publicities,
    current_publicity_item,
    publicity_objections,
    publish_blockers,
    user_objections,
)
from .report import report, report_comments, report_history  # noqa: F401
