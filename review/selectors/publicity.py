"""The public notice (公示), objections, and what stands between a work and its publication."""

from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import Award, CampaignReview, Objection, Publicity, PublicityItem, Stage, Submission


def current_publicity_item(submission) -> PublicityItem | None:
    """The submission's entry in the notice it is (or was last) listed in, unless it left it."""
    return submission.current_publicity_item


def publish_blockers(submission) -> list[str]:
    """Why `submission` cannot be published now (empty: it can): it must be in a notice whose
    period has ended and in which no objection is still open."""
    title = submission.title
    if submission.status != Stage.PUBLICITY:
        return [_("《%(t)s》不在公示中，不能发布（发布前须先公示）。") % {"t": title}]
    item = current_publicity_item(submission)
    if item is None:
        return [_("《%(t)s》不在公示中，不能发布（发布前须先公示）。") % {"t": title}]
    blockers = []
    if timezone.now() < item.publicity.ends_at:
        blockers.append(
            _("《%(t)s》的公示期至 %(d)s 结束，公示期满后才能发布。")
            % {"t": title, "d": f"{timezone.localtime(item.publicity.ends_at):%Y-%m-%d %H:%M}"}
        )
    open_count = Objection.objects.filter(item__publicity=item.publicity, status=Objection.Status.OPEN).count()
    if open_count:
        blockers.append(
            _("《%(t)s》所在的公示还有 %(n)d 条异议未处理，全部处理后才能发布。") % {"t": title, "n": open_count}
        )
    return blockers


def campaign_publicities(campaign):
    return Publicity.objects.filter(campaign=campaign).select_related("campaign").prefetch_related("items")


def publicity_objections(publicity):
    return (
        Objection.objects.filter(item__publicity=publicity)
        .select_related("item", "author__profile", "resolved_by__profile")
        .order_by("status", "created_at", "id")
    )


def user_objections(user, publicity):
    if not user.is_authenticated:
        return Objection.objects.none()
    return Objection.objects.filter(author=user, item__publicity=publicity).select_related("item")


def award_threshold_plan(campaign) -> list[dict]:
    """For each work awaiting selection: its award, the award its score gives, whether the admin
    set it by hand, and whether applying the thresholds would change it."""
    settings_row = CampaignReview.objects.filter(campaign=campaign).first()
    if settings_row is None:
        return []
    rows = []
    for submission in (
        Submission.objects.filter(campaign=campaign, status=Stage.SELECTED)
        .select_related("page")
        .order_by("-final_score", "id")
    ):
        proposed = settings_row.award_for(submission.final_score)
        rows.append(
            {
                "submission": submission,
                "current": submission.award,
                "proposed": proposed,
                "proposed_label": Award(proposed).label if proposed else "",
                "manual": submission.award_manual,
                "changes": proposed != submission.award,
            }
        )
    return rows
