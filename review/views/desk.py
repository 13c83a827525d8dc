"""The reviewers' desk: county reviewers, city experts and the campaign admin."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe
from wagtail.images import get_image_model

from catalogue.http import content_disposition
from catalogue.permissions import Ability, can, holders

from .. import selectors, services
from ..forms import (
    CountyDecisionForm,
    ExpertReturnForm,
    ExpertScoreForm,
)
from ..models import CampaignReview, ExpertReview, Stage
from .common import messages_of, refusal, unread

IN_REVIEW = [Stage.CHECKING, Stage.COUNTY_REVIEW, Stage.EXPERT_REVIEW]


@login_required
@require_safe
def review_index(request):
    if selectors.is_campaign_admin(request.user):
        qs = selectors.submissions_base().exclude(status=Stage.DRAFT)
        context = {
            "mode": "admin",
            "pending": qs.filter(status__in=IN_REVIEW).order_by("submitted_at"),
            "done": qs.exclude(status__in=IN_REVIEW).order_by("-updated_at")[:50],
        }
    elif can(request.user, Ability.REVIEW_COUNTY):
        pending, done = selectors.county_queue(request.user)
        context = {"mode": "county", "pending": pending, "done": done}
    elif can(request.user, Ability.SCORE):
        pending, done = selectors.expert_queue(request.user)
        context = {"mode": "expert", "pending": pending, "done": done}
    else:
        raise PermissionDenied
    context["notifications"] = unread(request.user)
    return render(request, "review/review_index.html", context)


@login_required
def review_detail(request, pk):
    submission = get_object_or_404(selectors.submissions_base(), pk=pk)
    access = selectors.submission_access(request.user, submission)
    if access not in ("county", "expert", "admin"):
        raise refusal(request.user, submission)
    standard = CampaignReview.objects.select_related("standard").get(campaign=submission.campaign).standard
    own_review = selectors.live_review_for(request.user, submission) if access == "expert" else None
    decision_form = score_form = return_form = None
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if access == "county" and action == "county":
                decision_form = CountyDecisionForm(request.POST)
                if decision_form.is_valid():
                    services.county_decide(
                        submission=submission,
                        user=request.user,
                        decision=decision_form.cleaned_data["decision"],
                        reason=decision_form.cleaned_data["reason"],
                    )
                    messages.success(request, _("初审意见已提交。"))
                    return redirect("review:index")
            elif access == "expert" and action == "score" and own_review:
                score_form = ExpertScoreForm(request.POST, standard=standard)
                if score_form.is_valid():
                    services.expert_score(
                        review=own_review,
                        user=request.user,
                        scores=score_form.scores(),
                        vetoes=[v.pk for v in score_form.cleaned_data["vetoes"]],
                        comment=score_form.cleaned_data["comment"],
                    )
                    messages.success(request, _("评分已提交。"))
                    return redirect("review:index")
            elif access == "expert" and action == "return" and own_review:
                return_form = ExpertReturnForm(request.POST)
                if return_form.is_valid():
                    services.expert_return(
                        review=own_review, user=request.user, reason=return_form.cleaned_data["reason"]
                    )
                    messages.success(request, _("已退回教师修改。"))
                    return redirect("review:index")
            elif access == "admin" and action == "reassign":
                review = get_object_or_404(ExpertReview, pk=request.POST.get("review"), submission=submission)
                expert = get_object_or_404(get_user_model(), pk=request.POST.get("expert"))
                services.expert_reassign(review=review, new_expert=expert, user=request.user)
                messages.success(request, _("已改派专家。"))
                return redirect("review:detail", pk=submission.pk)
            else:
                raise PermissionDenied
        except ValidationError as error:
            for message in messages_of(error):
                messages.error(request, message)
    page = submission.page.get_latest_revision_as_object()
    reviews = list(selectors.current_round_reviews(submission))
    own_submitted = own_review is not None and own_review.status == ExpertReview.Status.SUBMITTED
    context = {
        "submission": submission,
        "page_obj": page,
        # Double-blind: experts see neutral file names and get images through the desk.
        "files": selectors.desk_files(submission, page, access),
        "images": selectors.desk_images(submission, page, access),
        "checks": selectors.redact_checks(submission, page, submission.checks)
        if access == "expert"
        else submission.checks,
        "access": access,
        "standard": standard,
        "history": selectors.history_for(
            submission, access, viewer=request.user, reveal_scores=access == "admin" or own_submitted
        ),
        "own_review": own_review,
        # Blind review: an expert sees only their own scores (others only after submitting their own).
        "visible_reviews": reviews
        if access == "admin"
        else ([r for r in reviews if r.status == ExpertReview.Status.SUBMITTED] if own_submitted else []),
        "can_decide": access == "county" and submission.status == Stage.COUNTY_REVIEW,
        "can_score": access == "expert"
        and own_review is not None
        and own_review.status == ExpertReview.Status.ASSIGNED
        and submission.status == Stage.EXPERT_REVIEW,
        "decision_form": decision_form or CountyDecisionForm(),
        "score_form": score_form or ExpertScoreForm(standard=standard),
        "return_form": return_form or ExpertReturnForm(),
    }
    if access == "admin":
        context["experts"] = holders(Ability.SCORE).select_related("profile").order_by("username")
        context["criterion_means"] = selectors.criterion_means(submission)
    return render(request, "review/review_detail.html", context)


IMAGE_SPECS = {"cover": "width-640", "gallery": "width-320"}


@login_required
@require_safe
def submission_image(request, pk, image_id):
    """A cover or gallery image of a submission, resized, for whoever may see the submission; named
    neutrally for experts (the original media URL carries the uploaded file name)."""
    submission = get_object_or_404(selectors.submissions_base(), pk=pk)
    access = selectors.submission_access(request.user, submission)
    if not access:
        raise PermissionDenied
    page = submission.page.get_latest_revision_as_object()
    rows = {row["image"].pk: row for row in selectors.desk_images(submission, page, access)}
    if image_id not in rows:
        raise Http404
    row = rows[image_id]
    image = get_object_or_404(get_image_model(), pk=image_id)
    rendition = image.get_rendition(IMAGE_SPECS[row["role"]])
    extension = rendition.file.name.rsplit(".", 1)[-1].lower()
    response = FileResponse(
        rendition.file.open("rb"), content_type=f"image/{'jpeg' if extension == 'jpg' else extension}"
    )
    name = row["name"].rsplit(".", 1)[0] + "." + extension
    response["Content-Disposition"] = content_disposition(name, False)
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response
