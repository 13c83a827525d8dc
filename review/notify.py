"""Who hears about a submission, and the in-app notification (also e-mailed) that tells them.

A leaf module: the transitions and services call it; it calls nothing above the models.
"""

from django.contrib.auth import get_user_model

from catalogue.permissions import Ability, holders

from .models import Notification, Submission
from .tasks import notification_email_send


def notify(*, users, submission: Submission | None, kind: str, message: str, link: str = "") -> list[Notification]:
    created = []
    for user in {u.pk: u for u in users if u is not None}.values():
        notification = Notification.objects.create(
            user=user, submission=submission, kind=kind, message=message, link=link
        )
        created.append(notification)
        if user.email:
            notification_email_send.enqueue(notification_id=notification.pk)
    return created


def teacher_link(submission):
    return f"/submit/{submission.pk}/"


def notify_teacher(submission, kind: str, message: str) -> None:
    """Tell the submission's teacher, linking to the submission on their desk."""
    notify(users=[submission.teacher], submission=submission, kind=kind, message=message, link=teacher_link(submission))


def review_link(submission):
    return f"/review/{submission.pk}/"


def publicity_link(publicity):
    return f"/publicity/{publicity.pk}/"


def county_reviewers(submission):
    """The people who review `submission` first: its county's reviewers."""
    if submission.region_id is None:
        return get_user_model().objects.none()
    return holders(Ability.REVIEW_COUNTY, region=submission.region_id)


def resource_admins():
    """The people who run the campaign (selection, awards, publishing)."""
    return holders(Ability.RUN_CAMPAIGNS)
