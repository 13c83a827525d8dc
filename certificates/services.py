"""Issuing certificates and drawing them as PDF (WeasyPrint, with the Noto CJK fonts embedded)."""

import re
import secrets

from django.conf import settings
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from review.models import Submission

from .models import Certificate
from .selectors import submission_certifiable

# Crockford's base32 without the letters people misread (I, L, O, U): 12 random characters,
# 60 bits, grouped for reading aloud: ZMD2026-7KQ4-M9XD-2HTR.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
ISSUER = getattr(settings, "CERTIFICATE_ISSUER", "驻马店市教育局")


class NotCertifiable(Exception):
    pass


def certificate_number_new(year: int) -> str:
    chars = "".join(secrets.choice(ALPHABET) for _ in range(12))
    return f"ZMD{year}-{chars[:4]}-{chars[4:8]}-{chars[8:]}"


def certificate_issue(*, submission: Submission) -> Certificate:
    """The certificate of an awarded, published work (issued once; the same one afterwards)."""
    existing = Certificate.objects.filter(submission=submission).first()
    if existing is not None:
        return existing
    if not submission_certifiable(submission):
        raise NotCertifiable(submission.pk)
    page = submission.page.specific
    published = page.first_published_at or timezone.now()
    names = re.split(r"[、，,;；]+", f"{page.authors}、{page.co_authors or ''}")
    authors = "、".join(dict.fromkeys(name.strip() for name in names if name.strip()))
    for _attempt in range(5):
        try:
            with transaction.atomic():
                return Certificate.objects.create(
                    number=certificate_number_new(submission.campaign.year),
                    submission=submission,
                    resource=page,
                    title=page.title,
                    authors=authors,
                    school_name=submission.school.name if submission.school else "",
                    region_name=submission.region.name if submission.region else "",
                    campaign_title=submission.campaign.title,
                    award=page.award,
                    issuer=ISSUER,
                    issued_on=timezone.localtime(published).date(),
                )
        except IntegrityError:
            existing = Certificate.objects.filter(submission=submission).first()
            if existing is not None:  # issued by a parallel request
                return existing
    raise RuntimeError("could not draw a unique certificate number")


CHINESE_DIGITS = "〇一二三四五六七八九"


def chinese_date(day) -> str:
    """2026-12-20 → 二〇二六年十二月二十日, as official documents write dates."""

    def number(n: int) -> str:
        if n < 10:
            return CHINESE_DIGITS[n]
        tens, ones = divmod(n, 10)
        return ("" if tens == 1 else CHINESE_DIGITS[tens]) + "十" + (CHINESE_DIGITS[ones] if ones else "")

    year = "".join(CHINESE_DIGITS[int(d)] for d in str(day.year))
    return f"{year}年{number(day.month)}月{number(day.day)}日"


def qr_svg(data: str) -> str:
    import qrcode
    import qrcode.image.svg
    from qrcode.constants import ERROR_CORRECT_M

    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=1, image_factory=qrcode.image.svg.SvgPathImage)
    code.add_data(data)
    code.make(fit=True)
    return code.make_image().to_string(encoding="unicode")


def certificate_pdf(*, certificate: Certificate, verify_url: str) -> bytes:
    """The certificate as an A4 landscape PDF with a QR code of `verify_url`."""
    from weasyprint import HTML

    html = render_to_string(
        "certificates/certificate_pdf.html",
        {
            "certificate": certificate,
            "date_text": chinese_date(certificate.issued_on),
            "qr_svg": qr_svg(verify_url),
            "verify_url": verify_url,
        },
    )
    return HTML(string=html).write_pdf()
