"""Selection and publication, and the campaign report export."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from catalogue.models import CampaignPage

from .. import exports, selectors, services
from ..forms import (
    AWARD_CHOICES,
    RankingFilterForm,
)
from ..models import Stage, Submission
from .common import messages_of, require_admin


def _campaign_from(request):
    year = request.GET.get("year") or request.POST.get("year")
    if year and str(year).isdigit():
        return get_object_or_404(CampaignPage, year=int(year))
    return services.current_campaign()


@login_required
def selection(request):
    require_admin(request.user)
    campaign = _campaign_from(request)
    if campaign is None:
        return render(request, "review/selection.html", {"campaign": None})
    settings_row = services.campaign_review_ensure(campaign=campaign)
    if request.method == "POST":
        action = request.POST.get("action")
        chosen = Submission.objects.filter(campaign=campaign, pk__in=request.POST.getlist("selected"))
        try:
            if action == "awards":
                for submission in Submission.objects.filter(
                    campaign=campaign, status__in=[Stage.APPROVED, Stage.PUBLISHED]
                ):
                    value = request.POST.get(f"award_{submission.pk}")
                    if value is not None and value != submission.award:
                        services.submission_award_set(submission=submission, award=value, user=request.user)
                messages.success(request, _("奖项已保存。"))
            elif action == "thresholds":
                count = services.awards_apply_thresholds(campaign=campaign, user=request.user)
                messages.success(request, _("已按分数线评定 %(n)d 件作品的奖项。") % {"n": count})
            elif action == "publish":
                if not chosen.exists():
                    messages.error(request, _("请先勾选要发布的作品。"))
                else:
                    count = services.submissions_publish(submissions=list(chosen), user=request.user)
                    messages.success(request, _("已发布 %(n)d 件作品入库。") % {"n": count})
            else:
                raise PermissionDenied
        except ValidationError as error:
            for message in messages_of(error):
                messages.error(request, message)
        return redirect(f"{reverse('review:selection')}?year={campaign.year}")
    filter_form = RankingFilterForm(request.GET or None)
    submissions = list(selectors.ranking(campaign, request.GET))
    return render(
        request,
        "review/selection.html",
        {
            "campaign": campaign,
            "campaigns": CampaignPage.objects.order_by("-year"),
            "settings_row": settings_row,
            "submissions": submissions,
            "filter_form": filter_form,
            "award_choices": AWARD_CHOICES,
            "Stage": Stage,
        },
    )


@login_required
@require_safe
def selection_export(request, year: int, fmt: str):
    require_admin(request.user)
    campaign = get_object_or_404(CampaignPage, year=year)
    if fmt not in exports.FORMATS:
        raise PermissionDenied
    content, content_type, filename = exports.campaign_report(campaign, fmt)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
