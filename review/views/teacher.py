"""The teacher's desk: the guided submission form, drafts, submitting, a submission's files."""

import logging
import uuid
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import OperationalError
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST, require_safe
from wagtail.documents import get_document_model

from catalogue import denied
from catalogue.denied import Denied
from catalogue.http import ranged_file_response
from catalogue.permissions import Ability, account_pending, can
from ops.upload_handler import IntakeUploadHandler, UploadRefused

from .. import checks, selectors, services
from ..forms import SubmissionForm, file_rules
from ..models import Submission
from ..services import resumable
from ..services.files import MAIN, StorageFault
from .common import messages_of, refusal, unread, wants_json

logger = logging.getLogger(__name__)


PENDING_MESSAGE = _lazy("您的教师身份正在等待所在县（区）确认，确认后才能申报资源。确认前可以照常浏览和使用资源。")


def submitter_required(view):
    """The teacher's desk (/submit/…) is for accounts that may submit (`Ability.SUBMIT`: a confirmed
    teacher). A teacher whose school the county has not confirmed yet is told why: a page visit goes
    to the waiting page, anything else (a form POST, the upload script) is refused with the reason
    before a byte of the body is read, so nothing is stored. Everyone else gets 403."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if can(request.user, Ability.SUBMIT):
            return view(request, *args, **kwargs)
        if account_pending(request.user):
            if request.method in ("GET", "HEAD"):
                return redirect("accounts:pending")
            if wants_json(request):
                return JsonResponse({"ok": False, "errors": [str(PENDING_MESSAGE)]}, status=403)
            raise Denied(PENDING_MESSAGE)
        raise Denied(denied.TEACHERS_ONLY)

    return wrapped


@login_required
@submitter_required
@require_safe
def submit_index(request):
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
        teacher=request.user,
        data=form.cleaned_data,
        files=form.uploads(),
        submission=submission,
        form_token=form.cleaned_data.get("form_token"),
    )
    if form.resumed is not None:
        form.resumed.used = True  # saved: the chunked upload is used up (services.resumable)
    if request.POST.get("action") == "submit":
        try:
            services.submission_submit(submission=submission, user=request.user)
        except ValidationError as error:
            errors = messages_of(error)
    return submission, errors


def _field_errors(form) -> dict:
    return {name: [str(e) for e in errors] for name, errors in form.errors.items() if name != "__all__"}


def _error_list(form) -> list[str]:
    return [
        f"{form.fields[f].label if f in form.fields else ''}：{e}" if f != "__all__" else str(e)
        for f, es in form.errors.items()
        for e in es
    ]


def _refuse(request, context, errors: list[str], *, status: int, form=None):
    """The form again with what went wrong; as JSON for the upload script."""
    if wants_json(request):
        body = {"ok": False, "errors": errors}
        if form is not None:
            body["field_errors"] = _field_errors(form)
        return JsonResponse(body, status=status)
    return render(
        request,
        "review/submit_form.html",
        {**context, "form": form or context["form"], "errors": errors},
        status=status,
    )


def _file_rules(campaign) -> dict:
    standard = selectors.standard_in_force(campaign)
    return file_rules(standard) if standard else {}


def _has_files(submission) -> dict:
    """Which required files the draft already holds (the browser does not ask for them again)."""
    if submission is None:
        return {}
    page = submission.page.get_latest_revision_as_object()
    return {
        "main_file": any(f.caption == MAIN for f in page.files.all()),
        "cover": bool(page.cover_image_id),
        "gallery": bool(list(page.gallery_images.all())),
    }


def _upload_handler():
    """Checks each file while it streams in (ops.upload_handler), with the form's rules."""
    return IntakeUploadHandler(
        policy=checks.upload_policy(),
        max_files={"main_file": 1, "extra_file": 1, "cover": 1, "gallery": checks.GALLERY_MAX_IMAGES},
        request_cap=settings.UPLOAD_MAX_REQUEST_BYTES,
    )


@csrf_exempt  # the CSRF check runs in _submit_post, after the upload handler is installed
@login_required
@submitter_required
def submit_form(request, pk=None):
    submission = None
    if pk is not None:
        submission = get_object_or_404(Submission.objects.select_related("page", "campaign"), pk=pk)
        if submission.teacher_id != request.user.pk:
            raise PermissionDenied
        if not submission.is_editable_by_teacher:
            message = _("作品正在评审中，暂时不能修改。")
            if request.method == "POST" and wants_json(request):
                return JsonResponse({"ok": False, "errors": [message]}, status=409)
            messages.info(request, message)
            return redirect("review:submit_detail", pk=submission.pk)
    campaign = submission.campaign if submission else services.current_campaign()
    context = {
        "submission": submission,
        "campaign": campaign,
        "max_request_bytes": settings.UPLOAD_MAX_REQUEST_BYTES,
        "resumable": {
            "endpoint": reverse("review:resumable_uploads"),
            "threshold": settings.UPLOAD_RESUMABLE_THRESHOLD_BYTES,
            "chunk": settings.UPLOAD_RESUMABLE_CHUNK_BYTES,
            "hours": settings.UPLOAD_RESUMABLE_EXPIRE_SECONDS // 3600,
        },
        "file_rules": _file_rules(campaign),
        "has_files": _has_files(submission),
    }
    if request.method == "POST":
        handler = _upload_handler()
        handler.request = request
        request.upload_handlers = [handler]
        try:
            return _submit_post(request, handler, submission, context)
        except UploadRefused as refused:
            return _refuse(request, {**context, "form": SubmissionForm()}, [refused.message], status=refused.status)
        finally:
            handler.abort()
    if submission:
        form = SubmissionForm(
            initial=SubmissionForm.initial_from(submission.page.get_latest_revision_as_object()),
            rules=context["file_rules"],
        )
    else:
        profile = request.user.profile
        form = SubmissionForm(
            initial={"authors": profile.display_name or request.user.get_username(), "licence": "platform"},
            rules=context["file_rules"],
        )
    return render(request, "review/submit_form.html", {**context, "form": form})


@csrf_protect
def _submit_post(request, handler, submission, context):
    """The form with a main file sent in chunks takes the finished upload for this save (once, its
    owner's only); afterwards it is used up, or free again when nothing was stored."""
    resumed, resumed_error = None, ""
    upload_id = request.POST.get("main_file_upload", "").strip()
    if upload_id and "main_file" not in request.FILES and "main_file" not in handler.refusals:
        try:
            resumed = resumable.resumable_upload_claim(owner=request.user, upload_id=uuid.UUID(upload_id))
        except ValueError:
            resumed_error = _("上传编号无效，请重新选择文件上传。")
        except resumable.ResumableRefused as refused:
            resumed_error = refused.message
    try:
        return _submit_form(request, handler, submission, context, resumed=resumed, resumed_error=resumed_error)
    finally:
        if resumed is not None:
            resumable.resumable_upload_settle(resumed=resumed)


def _submit_form(request, handler, submission, context, *, resumed, resumed_error):
    form = SubmissionForm(
        request.POST,
        request.FILES,
        refused=handler.refusals,
        rules=context["file_rules"],
        resumed=resumed,
        resumed_error=resumed_error,
    )
    context = {**context, "form": form}
    if not form.is_valid():
        return _refuse(request, context, _error_list(form), status=400, form=form)
    try:
        submission, errors = _save_and_maybe_submit(request, form, submission)
    except StorageFault as fault:
        return _refuse(request, context, [fault.message], status=503, form=form)
    except OperationalError:
        logger.exception("Saving a draft failed on the database")
        message = _(
            "系统正忙（数据库暂时无法写入），草稿没有保存。您填写的内容和选择的文件还在页面上，请稍等片刻再点一次“保存”。"
        )
        return _refuse(request, context, [message], status=503, form=form)
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            for field, field_errors in error.error_dict.items():
                form.add_error(field if field in form.fields else None, field_errors)
            return _refuse(request, context, _error_list(form), status=400, form=form)
        status = 409 if submission is not None and not _still_editable(submission) else 400
        return _refuse(request, context, messages_of(error), status=status, form=form)
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
        pending = _pending_files(submission) if request.POST.get("action") != "submit" else []
        if pending:
            messages.info(
                request,
                _("“%(f)s”暂时无法检测（待检测），系统会自动重新检测，检测通过后才能提交评审。")
                % {"f": "、".join(pending)},
            )
    if wants_json(request):
        return JsonResponse({"ok": True, "redirect": url})
    return redirect(url)


def _pending_files(submission) -> list[str]:
    standard = services.campaign_review_ensure(campaign=submission.campaign).standard
    return services.files_report(submission.page.get_latest_revision_as_object(), standard=standard).pending


def _still_editable(submission) -> bool:
    return Submission.objects.get(pk=submission.pk).is_editable_by_teacher


@login_required
@submitter_required
@require_safe
def submit_detail(request, pk):
    submission = get_object_or_404(selectors.submissions_base(), pk=pk)
    if selectors.submission_access(request.user, submission) != "teacher":
        raise refusal(request.user, submission)
    page = submission.page.get_latest_revision_as_object()
    if submission.is_editable_by_teacher:
        # A draft's checks as stored for its current files (待检测 where a check could not run yet).
        standard = services.campaign_review_ensure(campaign=submission.campaign).standard
        checks_shown = services.files_report(page, standard=standard).results
    else:
        checks_shown = submission.checks
    return render(
        request,
        "review/submit_detail.html",
        {
            "submission": submission,
            "page_obj": page,
            "history": selectors.history_for(submission, "teacher"),
            "files": list(page.files.all()),
            "checks": checks_shown,
        },
    )


@login_required
@submitter_required
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
        raise refusal(request.user, submission)
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
