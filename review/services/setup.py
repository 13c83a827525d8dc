"""Setting a campaign up for review: the workflow, the campaign's review settings, standard versions."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log
from wagtail.models import Workflow, WorkflowTask

from catalogue.models import CampaignPage

from ..models import (
    CampaignReview,
    CountyReviewTask,
    Criterion,
    ExpertReviewTask,
    QualityStandard,
    SelectionTask,
    VetoItem,
)

WORKFLOW_NAME = "征集评审流程"


@transaction.atomic
def review_workflow_ensure() -> Workflow:
    """The 征集评审流程 workflow with its three tasks, created once."""
    workflow = Workflow.objects.filter(name=WORKFLOW_NAME).first()
    if workflow is None:
        workflow = Workflow.objects.create(name=WORKFLOW_NAME)
    if not workflow.workflow_tasks.exists():
        for order, (model, name) in enumerate(
            ((CountyReviewTask, "县区初审"), (ExpertReviewTask, "市级专家评审"), (SelectionTask, "遴选发布"))
        ):
            task = model.objects.filter(name=name).first() or model.objects.create(name=name)
            WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=order)
    if not workflow.active:
        workflow.active = True
        workflow.save(update_fields=["active"])
    return workflow


@transaction.atomic
def campaign_review_ensure(*, campaign: CampaignPage) -> CampaignReview:
    """The campaign's review settings (bound to the standard in force when first used) and workflow."""
    settings_row = CampaignReview.objects.filter(campaign=campaign).select_related("standard").first()
    if settings_row is None:
        standard = QualityStandard.current()
        if standard is None:
            raise ValidationError(_("尚未设置质量标准，请管理员先在后台“质量标准”中创建。"))
        settings_row = CampaignReview.objects.create(campaign=campaign, standard=standard)
    # The workflow is started by `submission_submit` only, never assigned to the campaign page:
    # a page made outside the guided form must not enter a review that has no Submission.
    review_workflow_ensure()
    return settings_row


def quality_standard_new_version(*, source: QualityStandard, user=None) -> QualityStandard:
    """Save the edited `source` (changed in memory, with its child criteria and veto items) as the
    next version. The row `source` was loaded from is left untouched."""
    with transaction.atomic():
        next_version = (QualityStandard.objects.order_by("-version").values_list("version", flat=True).first() or 0) + 1
        criteria = [(c.name, c.max_points, c.description) for c in source.criteria.all()]
        vetoes = [(v.name, v.description) for v in source.veto_items.all()]
        if sum(points for _n, points, _d in criteria) != 100:
            raise ValidationError(_("各评分项分值合计应为 100 分。"))
        fields = {
            f.name: getattr(source, f.name)
            for f in QualityStandard._meta.concrete_fields
            if f.name not in ("id", "version", "created_at")
        }
        standard = QualityStandard(version=next_version, **fields)
        standard.save()
        for order, (name, points, description) in enumerate(criteria):
            Criterion.objects.create(
                standard=standard, name=name, max_points=points, description=description, sort_order=order
            )
        for order, (name, description) in enumerate(vetoes):
            VetoItem.objects.create(standard=standard, name=name, description=description, sort_order=order)
        log(instance=standard, action="wagtail.create", user=user, data={"version": next_version})
    return standard


def current_campaign():
    """The campaign teachers submit to: the one open today, else the latest."""
    today = timezone.localdate()
    campaigns = CampaignPage.objects.order_by("-year")
    return next((c for c in campaigns if c.is_open_on(today)), None) or campaigns.first()
