"""Signals of the review app, sent after a transition has been saved and logged."""

from django.dispatch import Signal

# sender=Submission, submission, old (status), new (status), user (may be None for the system)
submission_changed = Signal()
