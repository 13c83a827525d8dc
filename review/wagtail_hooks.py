"""Admin wiring: the quality standard (versioned snippet), campaign review settings, expert
profiles, menu items for the review desk and selection, the audit-log action labels, and
redirecting teachers from Wagtail's page editor to the simple submission form."""

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.tables import BooleanColumn
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import CreateView, EditView, SnippetViewSet, SnippetViewSetGroup

from catalogue.models import ResourcePage
from catalogue.permissions import Ability, can

from . import admin_views, services
from .models import CampaignReview, ExpertProfile, QualityStandard, Stage, Submission
from .models.history import ACTION_LABELS


class _NewVersionMixin:
    """Saving a quality standard always stores a new version; the edited row is never changed."""

    def save_instance(self):
        return services.quality_standard_new_version(source=self.form.save(commit=False), user=self.request.user)

    def get_success_message(self, instance=None):
        return _("已保存为“%(s)s”。已绑定旧版本的征集活动不受影响。") % {"s": self.object}

    def get_success_url(self):
        return reverse(self.index_url_name)


class QualityStandardCreateView(_NewVersionMixin, CreateView):
    pass


class QualityStandardEditView(_NewVersionMixin, EditView):
    pass


class QualityStandardViewSet(SnippetViewSet):
    model = QualityStandard
    icon = "clipboard-list"
    menu_label = gettext_lazy("质量标准")
    list_display = ["__str__", "pass_mark", "excellence_mark", "third_expert_gap", "created_at"]
    add_view_class = QualityStandardCreateView
    edit_view_class = QualityStandardEditView


class CampaignReviewViewSet(SnippetViewSet):
    model = CampaignReview
    icon = "calendar-alt"
    menu_label = gettext_lazy("征集评审设置")
    list_display = ["campaign", "standard", "first_prize_min", "second_prize_min", "third_prize_min", "merit_min"]


class ExpertProfileViewSet(SnippetViewSet):
    model = ExpertProfile
    icon = "user"
    menu_label = gettext_lazy("评审专家")
    list_display = ["__str__", BooleanColumn("accepts_assignments", label=gettext_lazy("接受自动分配"))]


class ReviewGroup(SnippetViewSetGroup):
    items = (QualityStandardViewSet, CampaignReviewViewSet, ExpertProfileViewSet)
    menu_icon = "tasks"
    menu_label = gettext_lazy("征集评审")
    menu_name = "review"
    menu_order = 250


register_snippet(ReviewGroup)


class _AdminOnlyMenuItem(MenuItem):
    def is_shown(self, request):
        return can(request.user, Ability.RUN_CAMPAIGNS)


class _ReviewerMenuItem(MenuItem):
    def is_shown(self, request):
        return can(request.user, Ability.USE_REVIEW_DESK)


class _TeacherMenuItem(MenuItem):
    def is_shown(self, request):
        return can(request.user, Ability.SUBMIT)


@hooks.register("register_admin_menu_item")
def review_desk_menu_item():
    return _ReviewerMenuItem(_("评审台"), "/review/", icon_name="tasks", order=240)


@hooks.register("register_admin_menu_item")
def selection_menu_item():
    return _AdminOnlyMenuItem(_("遴选发布与报表"), reverse("review_admin_report"), icon_name="table", order=245)


@hooks.register("register_admin_menu_item")
def teacher_menu_item():
    return _TeacherMenuItem(_("我的申报"), "/submit/", icon_name="upload", order=5)


@hooks.register("register_admin_urls")
def review_admin_urls():
    return [path("review-report/", admin_views.report_index, name="review_admin_report")]


@hooks.register("before_edit_page")
def teachers_edit_submissions_in_the_form(request, page):
    """A teacher's submission is edited in the guided form, where the checks and workflow live. And
    while it is in the campaign (submitted, not yet published) nobody saves it or acts on its
    workflow through Wagtail's editor: the state machine (review desk, selection) is the one door."""
    if not isinstance(page.specific, ResourcePage):
        return None
    submission = Submission.objects.filter(page_id=page.pk).first()
    if submission is None:
        return None
    if submission.teacher_id == request.user.pk and can(request.user, Ability.SUBMIT):
        return redirect("review:submit_edit", pk=submission.pk)
    if request.method == "POST" and submission.status != Stage.PUBLISHED:
        messages.error(
            request, _("征集作品请通过申报表（教师）、评审台或遴选发布页面处理，不能在页面编辑器中保存或操作流程。")
        )
        return redirect("review:detail", pk=submission.pk)
    return None


@hooks.register("register_personal_data")
def review_personal_data():
    from .personal_data import HANDLERS

    return HANDLERS


@hooks.register("register_log_actions")
def register_review_log_actions(actions):
    # The audit log (security trail) keeps one entry per transition, "review.<event>"; the old
    # action names stay registered for entries written before the review history had its table.
    labels = {f"review.{action}": label for action, label in ACTION_LABELS.items()}
    labels.update(
        {
            "review.create": _("创建申报草稿"),
            "review.edit": _("修改申报"),
            "review.resubmit": _("修改后重新提交"),
            "review.expert_assign": _("分配评审专家"),
            "review.expert_reassign": _("改派评审专家"),
            "review.expert_score": _("专家提交评分"),
            "review.award": _("评定奖项"),
        }
    )
    for action, label in labels.items():
        actions.register_action(action, label, label)
