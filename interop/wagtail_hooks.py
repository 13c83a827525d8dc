"""Admin: COUNTER API users (key shown once, stored hashed) and the monthly push's deliveries."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.views import View
from wagtail import hooks
from wagtail.admin.ui.tables import BooleanColumn, Column
from wagtail.admin.views.generic.models import CreateView, IndexView, InspectView
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup
from wagtail.admin.widgets.button import ListingButton

from . import sushi
from .models import PushDelivery, PushStatus, SushiConsumer
from .services import sushi_consumer_key_issue


def _key_page(request, consumer, key, index_url):
    return TemplateResponse(
        request,
        "interop/admin/key_issued.html",
        {
            "consumer": consumer,
            "key": key,
            "index_url": index_url,
            "page_title": _("API 密钥"),
            "header_title": _("API 密钥"),
            "customer_ids": _customer_ids(consumer),
            "sushi_url": request.build_absolute_uri("/r51/"),
        },
    )


def _customer_ids(consumer) -> list[tuple[str, str]]:
    if consumer.whole_city:
        customer = sushi.city()
        return [(customer.customer_id, customer.name)]
    ids = [(sushi.county(r).customer_id, r.name) for r in consumer.regions.all()]
    ids += [(sushi.school_customer(s).customer_id, s.name) for s in consumer.schools.select_related("region")]
    return ids


class ConsumerCreateView(CreateView):
    def save_action(self):
        key = sushi_consumer_key_issue(consumer=self.object)
        return _key_page(self.request, self.object, key, reverse(self.index_url_name))


class ConsumerKeyView(View):
    """GET: confirm; POST: issue a new key (the old one stops working) and show it once."""

    view_set = None

    def dispatch(self, request, pk):
        if not self.view_set.permission_policy.user_has_permission(request.user, "change"):
            raise PermissionDenied
        consumer = get_object_or_404(SushiConsumer, pk=pk)
        if request.method == "POST":
            key = sushi_consumer_key_issue(consumer=consumer)
            return _key_page(request, consumer, key, reverse(self.view_set.get_url_name("index")))
        return TemplateResponse(
            request,
            "interop/admin/key_confirm.html",
            {"consumer": consumer, "page_title": _("重新生成密钥"), "header_title": _("重新生成密钥")},
        )


class ConsumerIndexView(IndexView):
    def get_list_more_buttons(self, instance):
        buttons = super().get_list_more_buttons(instance)
        buttons.append(
            ListingButton(
                _("重新生成密钥"),
                url=reverse(self.index_url_name.replace(":index", ":key"), args=[instance.pk]),
                icon_name="key",
                priority=15,
            )
        )
        return buttons


class SushiConsumerViewSet(ModelViewSet):
    model = SushiConsumer
    icon = "key"
    menu_label = _("COUNTER 接口用户")
    add_view_class = ConsumerCreateView
    index_view_class = ConsumerIndexView
    list_display = [
        "name",
        "key_prefix",
        BooleanColumn("whole_city", label=_("全市（联盟）")),
        BooleanColumn("is_active", label=_("启用")),
        "last_used_at",
    ]
    list_filter = ["is_active", "whole_city"]
    search_fields = ["name", "contact"]

    @property
    def key_view(self):
        return ConsumerKeyView.as_view(view_set=self)

    def get_urlpatterns(self):
        return super().get_urlpatterns() + [path("key/<int:pk>/", self.key_view, name="key")]


class DeliveryIndexView(IndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().select_related("region", "school")

    def get_add_url(self):
        return None

    def get_edit_url(self, instance):
        return self.get_inspect_url(instance)

    def get_list_more_buttons(self, instance):
        buttons = [b for b in super().get_list_more_buttons(instance) if "delete" not in (b.url or "")]
        if instance.status in (PushStatus.SENT, PushStatus.FAILED, PushStatus.RETRYING):
            buttons.append(
                ListingButton(
                    _("重新发送"),
                    url=reverse(self.index_url_name.replace(":index", ":resend"), args=[instance.pk]),
                    icon_name="resubmit",
                    priority=15,
                )
            )
        return buttons


class DeliveryInspectView(InspectView):
    def get_field_display_value(self, field_name, field):
        value = super().get_field_display_value(field_name, field)
        return "—" if value is None or value == "" else value  # not yet sent: a dash, not "None"


class DeliveryResendView(View):
    view_set = None

    def dispatch(self, request, pk):
        if not self.view_set.permission_policy.user_has_permission(request.user, "change"):
            raise PermissionDenied
        delivery = get_object_or_404(PushDelivery.objects.select_related("region", "school"), pk=pk)
        if request.method == "POST":
            from .tasks import push_resend_task

            push_resend_task.enqueue(delivery.pk)
            messages.success(
                request,
                _("已安排重新发送：%(unit)s %(month)s")
                % {"unit": delivery.unit_name, "month": f"{delivery.month:%Y-%m}"},
            )
            return redirect(self.view_set.get_url_name("index"))
        return TemplateResponse(
            request,
            "interop/admin/resend_confirm.html",
            {"delivery": delivery, "page_title": _("重新发送"), "header_title": _("重新发送")},
        )


class NotHere(View):
    def dispatch(self, request, *args, **kwargs):
        raise Http404


class PushDeliveryViewSet(ModelViewSet):
    model = PushDelivery
    icon = "upload"
    menu_label = _("月度数据上报")
    index_view_class = DeliveryIndexView
    inspect_view_class = DeliveryInspectView
    form_fields = ["status"]  # deliveries are made by the push, never by hand (no add/edit views)
    inspect_view_enabled = True
    inspect_view_fields = [
        "month",
        "unit_kind",
        "region",
        "school",
        "delivery_id",
        "status",
        "attempts",
        "last_attempt_at",
        "next_attempt_at",
        "sent_at",
        "response_status",
        "last_error",
        "body",
    ]
    list_display = [
        "label",
        "status",
        "attempts",
        "last_attempt_at",
        "sent_at",
        Column("last_error", label=_("最近错误"), accessor=lambda d: d.last_error[:80]),
    ]
    list_filter = ["status", "unit_kind", "month"]

    @property
    def resend_view(self):
        return DeliveryResendView.as_view(view_set=self)

    @property
    def add_view(self):
        return NotHere.as_view()

    @property
    def edit_view(self):
        return NotHere.as_view()

    @property
    def delete_view(self):
        return NotHere.as_view()

    def get_urlpatterns(self):
        return super().get_urlpatterns() + [path("resend/<int:pk>/", self.resend_view, name="resend")]


class InteropGroup(ModelViewSetGroup):
    menu_label = _("平台互联")
    menu_icon = "site"
    menu_order = 272
    items = (SushiConsumerViewSet("sushi_consumers"), PushDeliveryViewSet("push_deliveries"))


@hooks.register("register_admin_viewset")
def register_interop_viewsets():
    return InteropGroup()
