"""Signals of the review app, sent after a transition has been saved and logged."""

from django.dispatch import Signal

# sender=Submission, submission, old (status), new (status), user (may be None for the system)
submission_changed = Signal()

# Sent by the technical checks (review.services.files) once results are stored for some files,
# so that submissions waiting in the "checking" state can move on. kwargs: document_ids, image_ids
file_checks_finished = Signal()
