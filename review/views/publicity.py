"""The public notice (公示) of proposed awards, and the objection (异议) form.

The notice is public by nature: anyone may read it, signed in or not. Objecting needs an account
(and is rate-limited per user in the transition's guard).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from .. import selectors, services
from ..forms import ObjectionForm
from ..models import Publicity
from .common import messages_of


def _notice(pk):
    return get_object_or_404(Publicity.objects.select_related("campaign"), pk=pk)


@require_safe
def publicity_page(request, pk):
    publicity = _notice(pk)
    return render(
        request,
        "review/publicity.html",
        {
            "publicity": publicity,
            "items": list(publicity.items.select_related("submission").order_by("id")),
            "mine": list(selectors.user_objections(request.user, publicity)),
        },
    )


@login_required
def objection_new(request, pk):
    publicity = _notice(pk)
    items = publicity.items.filter(removed_at__isnull=True).order_by("id")
    if request.method == "POST":
        form = ObjectionForm(request.POST, items=items)
        if form.is_valid():
            try:
                services.objection_file(
                    submission=form.cleaned_data["item"].submission,
                    user=request.user,
                    reason=form.cleaned_data["reason"],
                )
                messages.success(request, _("异议已提交。管理员处理后，会通过站内通知告诉您结果。"))
                return redirect("review:publicity", pk=publicity.pk)
            except ValidationError as error:
                for message in messages_of(error):
                    form.add_error(None, message)
    else:
        form = ObjectionForm(items=items, initial={"item": request.GET.get("item")})
    status = 200 if request.method == "GET" or form.is_valid() else 400
    return render(request, "review/objection_form.html", {"publicity": publicity, "form": form}, status=status)
