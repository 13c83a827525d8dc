"""Views of the review app: the teacher's submission desk, the reviewers' desk, selection, exports.

Every view checks the role and scope itself and answers 403 otherwise: hiding a button is never
the only guard. Writes go through `review.services`.
"""

from .desk import review_detail, review_index  # noqa: F401
from .notifications import notifications  # noqa: F401
from .selection import selection, selection_export  # noqa: F401
from .teacher import submission_file, submit_detail, submit_form, submit_index, submit_now  # noqa: F401
