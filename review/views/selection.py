"""Selection, the public notice and publication, and the campaign report export (the admin's desk).

Every step that changes what the public sees asks for confirmation first: re-applying the award
thresholds over awards set by hand, opening a notice, publishing.
"""

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
from ..forms import AWARD_CHOICES, ObjectionResolveForm, RankingFilterForm
from ..models import Objection, Publicity, Stage, Submission
from .common import messages_of, require_admin


def _campaign_from(request):
    year = request.GET.get("year") or request.POST.get("year")
    if year and str(year).isdigit():
        return get_object_or_404(CampaignPage, year=int(year))
    return services.current_campaign()


def _back(campaign):
    return redirect(f"{reverse('review:selection')}?year={campaign.year}")


def _chosen(request, campaign, status):
    ids = [i for i in request.POST.getlist("selected") if str(i).isdigit()]
    return list(
        selectors.submissions_base().filter(campaign=campaign, status=status, pk__in=ids).order_by("-final_score", "id")
    )


def _confirm(request, campaign, mode, **context):
    return render(request, "review/selection_confirm.html", {"campaign": campaign, "mode": mode, **context})


@login_required
def selection(request):
    require_admin(request.user)
    campaign = _campaign_from(request)
    if campaign is None:
        return render(request, "review/selection.html", {"campaign": None})
    settings_row = services.campaign_review_ensure(campaign=campaign)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            response = _post(request, campaign, settings_row, action)
            if response is not None:
                return response
        except ValidationError as error:
            for message in messages_of(error):
                messages.error(request, message)
        return _back(campaign)
    filter_form = RankingFilterForm(request.GET or None)
    return render(
        request,
        "review/selection.html",
        {
            "campaign": campaign,
            "campaigns": CampaignPage.objects.order_by("-year"),
            "settings_row": settings_row,
            "submissions": list(selectors.ranking(campaign, request.GET)),
            "filter_form": filter_form,
            "award_choices": AWARD_CHOICES,
            "publicities": list(selectors.campaign_publicities(campaign)),
            "Stage": Stage,
        },
    )


def _post(request, campaign, settings_row, action):
    user = request.user
    if action == "awards":
        changed = 0
        for submission in Submission.objects.filter(campaign=campaign, status=Stage.SELECTED):
            value = request.POST.get(f"award_{submission.pk}")
            if value is not None and value != submission.award:
                services.submission_award_set(submission=submission, award=value, user=user)
                changed += 1
        messages.success(request, _("奖项已保存（%(n)d 件有改动）。") % {"n": changed})
        return None
    if action in ("thresholds", "thresholds_confirm"):
        plan = [row for row in selectors.award_threshold_plan(campaign) if row["changes"]]
        kept = [row for row in plan if row["manual"]]
        if action == "thresholds" and kept:
            automatic = [row for row in plan if not row["manual"]]
            return _confirm(request, campaign, "thresholds", kept=kept, automatic=automatic)
        overwrite = request.POST.getlist("overwrite") if action == "thresholds_confirm" else []
        count = services.awards_apply_thresholds(campaign=campaign, user=user, overwrite=overwrite)
        messages.success(request, _("已按分数线评定 %(n)d 件作品的奖项。") % {"n": count})
        return None
    if action in ("open_publicity", "open_publicity_confirm"):
        chosen = _chosen(request, campaign, Stage.SELECTED)
        days = request.POST.get("days") or settings_row.publicity_days
        if not str(days).isdigit():
            raise services.SubmissionError(_("请填写公示天数（整数）。"))
        if not chosen:
            raise services.SubmissionError(_("请先勾选要公示的作品（“评审通过，待遴选”的作品）。"))
        if action == "open_publicity":
            return _confirm(request, campaign, "publicity", chosen=chosen, days=int(days))
        publicity = services.publicity_open(campaign=campaign, submissions=chosen, days=int(days), user=user)
        messages.success(
            request, _("公示已发起，共 %(n)d 件作品，公示 %(d)d 天。") % {"n": len(chosen), "d": publicity.days}
        )
        return redirect("review:publicity_manage", pk=publicity.pk)
    if action in ("publish", "publish_confirm"):
        chosen = _chosen(request, campaign, Stage.PUBLICITY)
        if not chosen:
            raise services.SubmissionError(_("请先勾选要发布的作品（公示中的作品）。"))
        if action == "publish":
            blockers = [message for s in chosen for message in selectors.publish_blockers(s)]
            return _confirm(request, campaign, "publish", chosen=chosen, blockers=blockers)
        services.submissions_publish(submissions=chosen, user=user)
        ids = ",".join(str(s.pk) for s in chosen)
        return redirect(f"{reverse('review:published')}?ids={ids}")
    raise PermissionDenied


@login_required
@require_safe
def selection_published(request):
    """After publishing: what was published, with links to the live pages."""
    require_admin(request.user)
    ids = [int(i) for i in request.GET.get("ids", "").split(",") if i.isdigit()]
    published = list(selectors.submissions_base().filter(pk__in=ids, status=Stage.PUBLISHED).order_by("-final_score"))
    return render(request, "review/selection_published.html", {"published": published})


@login_required
def publicity_manage(request, pk):
    """The admin's view of one notice: its works, the objections and their resolution, publishing."""
    require_admin(request.user)
    publicity = get_object_or_404(Publicity.objects.select_related("campaign"), pk=pk)
    forms = {}
    if request.method == "POST":
        objection = get_object_or_404(Objection, pk=request.POST.get("objection"), item__publicity=publicity)
        form = ObjectionResolveForm(request.POST, prefix=f"o{objection.pk}")
        if form.is_valid():
            try:
                services.objection_resolve(
                    objection=objection,
                    user=request.user,
                    upheld=form.cleaned_data["decision"] == "uphold",
                    reason=form.cleaned_data["reason"],
                )
                messages.success(request, _("异议已处理。"))
                return redirect("review:publicity_manage", pk=publicity.pk)
            except ValidationError as error:
                for message in messages_of(error):
                    messages.error(request, message)
        forms[objection.pk] = form
    objections = list(selectors.publicity_objections(publicity))
    for objection in objections:
        objection.form = forms.get(objection.pk) or ObjectionResolveForm(prefix=f"o{objection.pk}")
    items = list(publicity.items.select_related("submission").order_by("id"))
    publishable = [i for i in items if i.submission.status == Stage.PUBLICITY and i.removed_at is None]
    return render(
        request,
        "review/publicity_manage.html",
        {
            "publicity": publicity,
            "items": items,
            "objections": objections,
            "open_count": sum(1 for o in objections if o.status == Objection.Status.OPEN),
            "publishable": publishable,
            "blockers": selectors.publish_blockers(publishable[0].submission) if publishable else [],
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
