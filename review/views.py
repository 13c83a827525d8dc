"""Views of the review app: the teacher's submission desk, the reviewers' desk, selection, exports.

Every view checks the role and scope itself and answers 403 otherwise: hiding a button is never
the only guard. Writes go through `review.services`.
"""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_POST, require_safe
from wagtail.documents import get_document_model

from catalogue.http import ranged_file_response
from catalogue.models import CampaignPage, Role

from . import exports, selectors, services
from .forms import (
    AWARD_CHOICES,
    CountyDecisionForm,
    ExpertReturnForm,
    ExpertScoreForm,
    RankingFilterForm,
    SubmissionForm,
)
from .models import CampaignReview, ExpertReview, Notification, Stage, Submission
from .models.workflow import role_of


def _require_teacher(user):
    if role_of(user) != Role.TEACHER:
        raise PermissionDenied


def _wants_json(request) -> bool:
    return request.headers.get("X-Requested-With") == "XMLHttpRequest"


def _messages_of(error: ValidationError) -> list[str]:
    return [str(m) for m in error.messages]


# --- teacher -------------------------------------------------------------------------------------


@login_required
@require_safe
def submit_index(request):
    _require_teacher(request.user)
    campaign = services.current_campaign()
    return render(
        request,
        "review/submit_index.html",
        {
            "submissions": selectors.teacher_submissions(request.user),
            "campaign": campaign,
            "notifications": _unread(request.user),
        },
    )


def _unread(user):
    return Notification.objects.filter(user=user, read_at__isnull=True)[:10]


def _save_and_maybe_submit(request, form, submission):
    """Save the draft; with action=submit also submit it. Returns (submission, errors)."""
    errors = []
    submission = services.submission_save(
        teacher=request.user, data=form.cleaned_data, files=request.FILES, submission=submission
    )
    if request.POST.get("action") == "submit":
        try:
            services.submission_submit(submission=submission, user=request.user)
        except ValidationError as error:
            errors = _messages_of(error)
    return submission, errors


@login_required
def submit_form(request, pk=None):
    _require_teacher(request.user)
    submission = None
    if pk is not None:
        submission = get_object_or_404(Submission.objects.select_related("page", "campaign"), pk=pk)
        if submission.teacher_id != request.user.pk:
            raise PermissionDenied
        if not submission.is_editable_by_teacher:
            messages.info(request, _("作品正在评审中，暂时不能修改。"))
            return redirect("review:submit_detail", pk=submission.pk)
    campaign = submission.campaign if submission else services.current_campaign()
    if request.method == "POST":
        form = SubmissionForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                submission, errors = _save_and_maybe_submit(request, form, submission)
            except ValidationError as error:
                errors = _messages_of(error)
                if _wants_json(request):
                    return JsonResponse({"ok": False, "errors": errors}, status=400)
                return render(
                    request,
                    "review/submit_form.html",
                    {"form": form, "submission": submission, "campaign": campaign, "errors": errors},
                    status=400,
                )
            url = reverse("review:submit_detail", args=[submission.pk])
            if errors:
                # The draft is kept; the detail page shows why it cannot be submitted yet.
                messages.error(request, _("草稿已保存，但还不能提交：") + "；".join(errors))
                if _wants_json(request):
                    return JsonResponse({"ok": False, "saved": True, "redirect": url, "errors": errors})
            else:
                messages.success(
                    request, _("已提交，请等待评审。") if request.POST.get("action") == "submit" else _("草稿已保存。")
                )
            if _wants_json(request):
                return JsonResponse({"ok": True, "redirect": url})
            return redirect(url)
        if _wants_json(request):
            errors = [
                f"{form.fields[f].label if f in form.fields else ''}：{e}" if f != "__all__" else str(e)
                for f, es in form.errors.items()
                for e in es
            ]
            return JsonResponse({"ok": False, "errors": errors}, status=400)
        return render(
            request,
            "review/submit_form.html",
            {"form": form, "submission": submission, "campaign": campaign},
            status=400,
        )
    if submission:
        form = SubmissionForm(initial=SubmissionForm.initial_from(submission.page.get_latest_revision_as_object()))
    else:
        profile = request.user.profile
        form = SubmissionForm(
            initial={"authors": profile.display_name or request.user.get_username(), "licence": "platform"}
        )
    return render(request, "review/submit_form.html", {"form": form, "submission": submission, "campaign": campaign})


@login_required
@require_safe
def submit_detail(request, pk):
    submission = get_object_or_404(selectors.submissions_base(), pk=pk)
    if selectors.submission_access(request.user, submission) != "teacher":
        raise PermissionDenied
    page = submission.page.get_latest_revision_as_object()
    return render(
        request,
        "review/submit_detail.html",
        {
            "submission": submission,
            "page_obj": page,
            "history": selectors.history_for(submission, "teacher"),
            "files": list(page.files.all()),
        },
    )


@login_required
@require_POST
def submit_now(request, pk):
    submission = get_object_or_404(Submission, pk=pk)
    if submission.teacher_id != request.user.pk:
        raise PermissionDenied
    try:
        services.submission_submit(submission=submission, user=request.user)
        messages.success(request, _("已提交，请等待评审。"))
    except ValidationError as error:
        messages.error(request, _("还不能提交：") + "；".join(_messages_of(error)))
    return redirect("review:submit_detail", pk=submission.pk)


# --- files ---------------------------------------------------------------------------------------


@login_required
@require_safe
@xframe_options_sameorigin
def submission_file(request, pk, document_id):
    """A file of a submission (draft or under review), for its teacher, its reviewers and admins."""
    submission = get_object_or_404(Submission.objects.select_related("page"), pk=pk)
    if not selectors.submission_access(request.user, submission):
        raise PermissionDenied
    page = submission.page.get_latest_revision_as_object()
    ids = {f.document_id for f in page.files.all()}
    if document_id not in ids:
        raise PermissionDenied
    document = get_object_or_404(get_document_model(), pk=document_id)
    return ranged_file_response(
        request, document.file, filename=document.filename, as_attachment=request.GET.get("download") == "1"
    )


# --- reviewers -----------------------------------------------------------------------------------


@login_required
@require_safe
def review_index(request):
    role = role_of(request.user)
    if role == Role.COUNTY_REVIEWER:
        pending, done = selectors.county_queue(request.user)
        context = {"mode": "county", "pending": pending, "done": done}
    elif role == Role.CITY_EXPERT:
        pending, done = selectors.expert_queue(request.user)
        context = {"mode": "expert", "pending": pending, "done": done}
    elif selectors.is_campaign_admin(request.user):
        qs = selectors.submissions_base().exclude(status=Stage.DRAFT)
        context = {
            "mode": "admin",
            "pending": qs.filter(status__in=[Stage.COUNTY_REVIEW, Stage.EXPERT_REVIEW]).order_by("submitted_at"),
            "done": qs.exclude(status__in=[Stage.COUNTY_REVIEW, Stage.EXPERT_REVIEW]).order_by("-updated_at")[:50],
        }
    else:
        raise PermissionDenied
    context["notifications"] = _unread(request.user)
    return render(request, "review/review_index.html", context)


@login_required
def review_detail(request, pk):
    submission = get_object_or_404(selectors.submissions_base(), pk=pk)
    access = selectors.submission_access(request.user, submission)
    if access not in ("county", "expert", "admin"):
        raise PermissionDenied
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
            for message in _messages_of(error):
                messages.error(request, message)
    page = submission.page.get_latest_revision_as_object()
    reviews = list(selectors.current_round_reviews(submission))
    own_submitted = own_review is not None and own_review.status == ExpertReview.Status.SUBMITTED
    context = {
        "submission": submission,
        "page_obj": page,
        "files": list(page.files.all()),
        "gallery": list(page.gallery_images.all()),
        "access": access,
        "standard": standard,
        "history": selectors.history_for(submission, access, reveal_scores=access == "admin" or own_submitted),
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
        context["experts"] = (
            get_user_model()
            .objects.filter(is_active=True, profile__role=Role.CITY_EXPERT)
            .select_related("profile")
            .order_by("username")
        )
        context["criterion_means"] = selectors.criterion_means(submission)
    return render(request, "review/review_detail.html", context)


# --- selection -----------------------------------------------------------------------------------


def _require_admin(user):
    if not selectors.is_campaign_admin(user):
        raise PermissionDenied


def _campaign_from(request):
    year = request.GET.get("year") or request.POST.get("year")
    if year and str(year).isdigit():
        return get_object_or_404(CampaignPage, year=int(year))
    return services.current_campaign()


@login_required
def selection(request):
    _require_admin(request.user)
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
            for message in _messages_of(error):
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
    _require_admin(request.user)
    campaign = get_object_or_404(CampaignPage, year=year)
    if fmt not in exports.FORMATS:
        raise PermissionDenied
    content, content_type, filename = exports.campaign_report(campaign, fmt)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- notifications -------------------------------------------------------------------------------


@login_required
def notifications(request):
    if request.method == "POST":
        services.notifications_mark_read(user=request.user)
        return redirect("review:notifications")
    items = Notification.objects.filter(user=request.user).select_related("submission")[:100]
    return render(request, "review/notifications.html", {"items": items})
