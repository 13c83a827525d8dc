"""Wagtail admin view: the campaign report export buttons, beside the admin's other reports."""

from django.http import HttpResponseForbidden
from django.template.response import TemplateResponse

from catalogue.models import CampaignPage

from . import selectors
from .models import Stage, Submission


def report_index(request):
    if not selectors.is_campaign_admin(request.user):
        # Wagtail's admin turns PermissionDenied into a redirect; the wrong role gets a real 403.
        return HttpResponseForbidden("没有权限：只有资源管理员可以查看征集评审报表。".encode())
    campaigns = []
    for campaign in CampaignPage.objects.order_by("-year"):
        counts = Submission.objects.filter(campaign=campaign).exclude(status=Stage.DRAFT)
        campaigns.append(
            {
                "campaign": campaign,
                "submitted": counts.count(),
                "approved": counts.filter(status=Stage.SELECTED).count(),
                "publicity": counts.filter(status=Stage.PUBLICITY).count(),
                "published": counts.filter(status=Stage.PUBLISHED).count(),
            }
        )
    return TemplateResponse(
        request, "review/admin/report_index.html", {"campaigns": campaigns, "header_title": "征集评审报表"}
    )
