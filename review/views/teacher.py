"""The teacher's desk: the guided submission form, drafts, submitting, a submission's files."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_POST, require_safe
from wagtail.documents import get_document_model

from catalogue.http import ranged_file_response
from catalogue.models import Role

from .. import selectors, services
from ..forms import (
    SubmissionForm,
)
from ..models import Submission
from ..models.workflow import role_of
from .common import messages_of, unread, wants_json


def _require_teacher(user):
    if role_of(user) != Role.TEACHER:
        raise PermissionDenied


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
            "notifications": unread(request.user),
        },
    )


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
            errors = messages_of(error)
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
                errors = messages_of(error)
                if wants_json(request):
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
                if wants_json(request):
                    return JsonResponse({"ok": False, "saved": True, "redirect": url, "errors": errors})
            else:
                messages.success(
                    request, _("已提交，请等待评审。") if request.POST.get("action") == "submit" else _("草稿已保存。")
                )
            if wants_json(request):
                return JsonResponse({"ok": True, "redirect": url})
            return redirect(url)
        if wants_json(request):
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
        messages.error(request, _("还不能提交：") + "；".join(messages_of(error)))
    return redirect("review:submit_detail", pk=submission.pk)


@login_required
@require_safe
@xframe_options_sameorigin
def submission_file(request, pk, document_id):
    """A file of a submission (draft or under review), for its teacher, its reviewers and admins."""
    submission = get_object_or_404(Submission.objects.select_related("page"), pk=pk)
    access = selectors.submission_access(request.user, submission)
    if not access:
        raise PermissionDenied
    page = submission.page.get_latest_revision_as_object()
    ids = {f.document_id for f in page.files.all()}
    if document_id not in ids:
        raise PermissionDenied
    document = get_object_or_404(get_document_model(), pk=document_id)
    # Experts review double-blind: the file is named neutrally (作品12-主文件.mp4), not as uploaded.
    filename = selectors.file_download_name(submission, page, document, access)
    return ranged_file_response(
        request, document.file, filename=filename, as_attachment=request.GET.get("download") == "1"
    )
