"""Views of the review app: the teacher's submission desk, the reviewers' desk, selection, the public
notice and objections, exports.

Every view checks the role and scope itself and answers 403 otherwise: hiding a button is never
the only guard. Writes go through `review.services` (and from there the state machine).
"""

from .desk import review_detail, review_index, submission_image  # noqa: F401
from .notifications import notifications  # noqa: F401
from .publicity import objection_new, publicity_page  # noqa: F401
from .resumable import resumable_upload, resumable_uploads  # noqa: F401
from .selection import publicity_manage, selection, selection_export, selection_published  # noqa: F401
from .teacher import submission_file, submit_detail, submit_form, submit_index, submit_now  # noqa: F401
from .withdraw import submit_withdraw  # noqa: F401
