"""The teacher's certificate download and the public verification page."""

from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_safe

from catalogue.denied import Denied
from catalogue.naming import pinyin_slug, safe_filename
from review.models import Submission

from . import selectors, services
from .denied import NOT_YET, OWN_ONLY


@login_required
@require_safe
def certificate_download(request, submission_id: int):
    """The PDF, for the work's teacher (and the campaign's resource admins), once it is published."""
    submission = get_object_or_404(
        Submission.objects.select_related("page", "campaign", "school", "region"), pk=submission_id
    )
    if not selectors.certificate_downloadable_by(request.user, submission):
        raise Denied(OWN_ONLY)
    if not selectors.submission_certifiable(submission):
        raise Denied(NOT_YET)
    certificate = services.certificate_issue(submission=submission)
    verify_url = request.build_absolute_uri(reverse("certificates:verify", args=[certificate.number]))
    pdf = services.certificate_pdf(certificate=certificate, verify_url=verify_url)
    name = f"荣誉证书-{safe_filename(certificate.title, 60)}.pdf"
    ascii_name = f"certificate-{pinyin_slug(certificate.title, 50) or certificate.number}.pdf"
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"
    response["Cache-Control"] = "private, no-store"
    return response


@require_safe
def certificate_verify(request, number: str):
    """Anyone holding the certificate (or its QR code) checks it here: the printed facts only."""
    certificate = selectors.certificate_by_number(number)
    if certificate is None:
        raise Http404
    return render(
        request,
        "certificates/verify.html",
        {
            "certificate": certificate,
            "valid": selectors.certificate_valid(certificate),
            "date_text": services.chinese_date(certificate.issued_on),
        },
    )
