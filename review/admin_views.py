"""Wagtail admin view: the campaign report export buttons, beside the admin's other reports."""

from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse

from catalogue.models import CampaignPage

from . import selectors
from .models import Stage, Submission


def report_index(request):
    if not selectors.is_campaign_admin(request.user):
        raise PermissionDenied
    campaigns = []
    for campaign in CampaignPage.objects.order_by("-year"):
        counts = Submission.objects.filter(campaign=campaign).exclude(status=Stage.DRAFT)
        campaigns.append(
            {
                "campaign": campaign,
                "submitted": counts.count(),
                "approved": counts.filter(status=Stage.APPROVED).count(),
                "published": counts.filter(status=Stage.PUBLISHED).count(),
            }
        )
    return TemplateResponse(request, "review/admin/report_index.html", {"campaigns": campaigns, "header_title": "征集评审报表"})
