"""The campaign report: every submission with its scores, the review history and the expert comments."""

from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import CampaignReview, ExpertReview, ReviewEvent, Stage
from ..models.history import ACTION_LABELS
from .access import criterion_means, current_round_reviews, ranking
from .history import ACTOR_LABELS

STAGE_REACHED = {
    Stage.DRAFT: _("草稿"),
    Stage.CHECKING: _("技术检测"),
    Stage.WITHDRAWN: _("已撤回"),
    Stage.COUNTY_REVIEW: _("县区初审"),
    Stage.EXPERT_REVIEW: _("市级评审"),
    Stage.SELECTED: _("遴选"),
    Stage.PUBLICITY: _("公示"),
    Stage.PUBLISHED: _("入库发布"),
}


def _stage_reached(submission) -> str:
    if submission.status in (Stage.RETURNED, Stage.REJECTED):
        if submission.returned_by_stage == "expert" or submission.expert_reviews.exists():
            return _("市级评审")
        return _("县区初审")
    return STAGE_REACHED.get(submission.status, "")


def report(campaign) -> tuple[list[str], list[list]]:
    """Every submission of `campaign` (drafts excluded) as rows for the campaign report."""
    settings_row = CampaignReview.objects.filter(campaign=campaign).select_related("standard").first()
    criteria = list(settings_row.standard.criteria.all()) if settings_row else []
    headers = (
        [
            _("编号"),
            _("作品名称"),
            _("县（区）"),
            _("学校"),
            _("作者"),
            _("合作者"),
            _("主题"),
            _("专题"),
            _("学科"),
            _("资源类型"),
            _("状态"),
            _("到达环节"),
        ]
        + [f"{c.name}（{c.max_points}）" for c in criteria]
        + [_("专家1总分"), _("专家2总分"), _("专家3总分"), _("最终得分"), _("奖项")]
    )
    rows = []
    for submission in ranking(campaign):
        page = submission.page.get_latest_revision_as_object() if not submission.page.live else submission.page
        means = criterion_means(submission)
        totals = [r.total for r in current_round_reviews(submission) if r.status == ExpertReview.Status.SUBMITTED]
        totals += [None] * (3 - len(totals))
        rows.append(
            [
                submission.pk,
                page.title,
                submission.region.name,
                submission.school.name if submission.school else "",
                page.authors,
                page.co_authors,
                page.theme.name if page.theme_id else "",
                page.topic.name if page.topic_id else "",
                "、".join(s.name for s in page.subjects.all()),
                page.resource_type.name,
                submission.get_status_display(),
                _stage_reached(submission),
            ]
            + [means.get(c.name) for c in criteria]
            + totals[:3]
            + [submission.final_score, submission.get_award_display() if submission.award else ""]
        )
    return headers, rows


def _name(user) -> str:
    if user is None:
        return ""
    profile = getattr(user, "profile", None)
    return (profile.display_name if profile else "") or user.get_username()


def report_history(campaign) -> tuple[list[str], list[list]]:
    """Every history row of the campaign's submissions, in full (the report is for the admin)."""
    headers = [
        _("编号"),
        _("作品名称"),
        _("时间"),
        _("操作人"),
        _("角色"),
        _("操作"),
        _("原状态"),
        _("新状态"),
        _("轮次"),
        _("理由/意见"),
    ]
    labels = dict(Stage.choices)
    events = (
        ReviewEvent.objects.filter(submission__campaign=campaign)
        .select_related("submission__page", "actor__profile")
        .order_by("submission_id", "created_at", "id")
    )
    rows = [
        [
            e.submission_id,
            e.submission.title,
            f"{timezone.localtime(e.created_at):%Y-%m-%d %H:%M:%S}",
            _name(e.actor),
            str(ACTOR_LABELS.get(e.actor_role, e.actor_role)),
            str(ACTION_LABELS.get(e.action, e.action)),
            str(labels.get(e.from_state, "")),
            str(labels.get(e.to_state, "")),
            e.round,
            e.reason,
        ]
        for e in events
    ]
    return headers, rows


def report_comments(campaign) -> tuple[list[str], list[list]]:
    """Every expert's review of the campaign's submissions: scores per criterion, vetoes, comment."""
    settings_row = CampaignReview.objects.filter(campaign=campaign).select_related("standard").first()
    criteria = list(settings_row.standard.criteria.all()) if settings_row else []
    headers = (
        [_("编号"), _("作品名称"), _("专家"), _("第三位专家"), _("状态"), _("提交时间")]
        + [c.name for c in criteria]
        + [_("总分"), _("否决项"), _("总体评语"), _("扣分说明")]
    )
    reviews = (
        ExpertReview.objects.filter(submission__campaign=campaign)
        .exclude(status=ExpertReview.Status.WITHDRAWN)
        .select_related("submission__page", "expert__profile")
        .prefetch_related("scores__criterion", "vetoes")
        .order_by("submission_id", "assigned_at", "id")
    )
    rows = []
    for review in reviews:
        scores = {s.criterion_id: s for s in review.scores.all()}
        notes = "；".join(f"{s.criterion.name}：{s.comment}" for s in review.scores.all() if s.comment)
        rows.append(
            [
                review.submission_id,
                review.submission.title,
                _name(review.expert),
                _("是") if review.is_third else "",
                str(review.get_status_display()),
                f"{timezone.localtime(review.submitted_at):%Y-%m-%d %H:%M}" if review.submitted_at else "",
            ]
            + [scores[c.pk].score if c.pk in scores else None for c in criteria]
            + [review.total, "、".join(v.name for v in review.vetoes.all()), review.comment, notes]
        )
    return headers, rows
