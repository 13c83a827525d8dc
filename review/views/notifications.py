"""In-app notifications."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from .. import services
from ..models import Notification


@login_required
def notifications(request):
    if request.method == "POST":
        services.notifications_mark_read(user=request.user)
        return redirect("review:notifications")
    items = Notification.objects.filter(user=request.user).select_related("submission")[:100]
    return render(request, "review/notifications.html", {"items": items})
