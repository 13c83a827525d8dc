"""Reads for certificates: which works earn one, and whether a certificate still holds."""

from review.models import Stage, Submission

from .models import Certificate


def submission_certifiable(submission: Submission) -> bool:
    """A certificate exists for a work that is published in the catalogue with an award."""
    page = submission.page
    return submission.status == Stage.PUBLISHED and bool(submission.award) and page.live and bool(page.award)


def certificate_by_number(number: str) -> Certificate | None:
    number = (number or "").strip().upper()
    return Certificate.objects.select_related("resource", "submission").filter(number=number).first()


def certificate_valid(certificate: Certificate) -> bool:
    """Still published, still with the award the certificate prints."""
    resource = certificate.resource
    return resource.live and resource.award == certificate.award and submission_certifiable(certificate.submission)


def certificate_downloadable_by(user, submission: Submission) -> bool:
    from review.selectors import is_campaign_admin

    return user.is_authenticated and (submission.teacher_id == user.pk or is_campaign_admin(user))
