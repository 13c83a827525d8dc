"""The teacher withdraws (撤回) a submission before the county reviewer decides."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import services
from ..models import Submission
from .common import messages_of
from .teacher import submitter_required


@login_required
@submitter_required
@require_POST
def submit_withdraw(request, pk):
    submission = get_object_or_404(Submission, pk=pk)
    if submission.teacher_id != request.user.pk:
        raise PermissionDenied
    try:
        services.submission_withdraw(submission=submission, user=request.user, reason=request.POST.get("reason", ""))
        messages.success(request, _("已撤回。作品回到您手中，可以修改后再次提交。"))
    except ValidationError as error:
        messages.error(request, _("不能撤回：") + "；".join(messages_of(error)))
    return redirect("review:submit_detail", pk=submission.pk)
