"""Existing data for the one state machine.

1. Status values: "approved" (评审通过，待遴选) is now "selected".
2. Awards: an award that differs from what the campaign's thresholds give for the final score was
   set by hand (`award_manual`), so re-applying the thresholds keeps it unless the admin confirms.
3. Review history: the `review.*` entries that the review used to write into Wagtail's audit log
   (ModelLogEntry on the Submission) are copied into `ReviewEvent`, keeping time, user, role, reason
   and round. The audit-log entries stay where they are (the security log is separate and is purged
   by its own retention; the review history no longer depends on it).
"""

from decimal import Decimal

from django.db import migrations

ACTIONS = {
    # old audit action: (history action, actor role, from state, to state)
    "review.submit": ("submit", "teacher", "draft", None),
    "review.resubmit": ("submit", "teacher", "returned", None),
    "review.county_approve": ("county_approve", "county_reviewer", "county_review", "expert_review"),
    "review.county_return": ("county_return", "county_reviewer", "county_review", "returned"),
    "review.county_decline": ("county_decline", "county_reviewer", "county_review", "rejected"),
    "review.expert_assign": ("expert_assign", "system", "", ""),
    "review.expert_reassign": ("reassign", "resource_admin", "expert_review", "expert_review"),
    "review.expert_score": ("score", "city_expert", "expert_review", ""),
    "review.expert_return": ("expert_return", "city_expert", "expert_review", "returned"),
    "review.third_expert": ("third_expert", "system", "", ""),
    "review.veto": ("veto", "system", "", ""),
    "review.below_pass": ("below_pass", "system", "", ""),
    "review.expert_done": ("expert_done", "system", "", ""),
    "review.award": ("set_award", "resource_admin", "selected", "selected"),
    "review.publish": ("publish", "resource_admin", "selected", "published"),
}
AWARD_VALUES = {"一等奖": "first", "二等奖": "second", "三等奖": "third", "优秀": "merit"}
ROLES = {"teacher", "county_reviewer", "city_expert", "resource_admin", "system"}


def _award_for(settings_row, score):
    if score is None or settings_row is None:
        return ""
    for minimum, award in (
        (settings_row.first_prize_min, "first"),
        (settings_row.second_prize_min, "second"),
        (settings_row.third_prize_min, "third"),
        (settings_row.merit_min, "merit"),
    ):
        if Decimal(score) >= minimum:
            return award
    return ""


def _history(data: dict, action: str) -> tuple[str, dict]:
    """(reason, details) of an old entry in the shape the transitions write."""
    if action == "submit":
        return "", {k: data[k] for k in ("warnings", "stage") if k in data}
    if action == "score":
        return data.get("comment", ""), {"total": data.get("total"), "vetoes": data.get("vetoes", [])}
    if action == "publish":
        award = data.get("award", "")
        return "", {"award": AWARD_VALUES.get(award, award), "final_score": data.get("final_score")}
    if action == "set_award":
        return "", {"from": data.get("from", ""), "to": data.get("to", ""), "manual": True}
    if action == "reassign":
        return "", {"from": data.get("from"), "to": data.get("to")}
    if action == "expert_assign":
        return "", {"expert_id": data.get("expert_id"), "third": bool(data.get("third"))}
    if action in ("third_expert", "expert_done"):
        return "", {k: v for k, v in data.items() if k != "actor_role"}
    return data.get("reason", "") or data.get("comment", ""), {}


def forwards(apps, schema_editor):
    Submission = apps.get_model("review", "Submission")
    CampaignReview = apps.get_model("review", "CampaignReview")
    ReviewEvent = apps.get_model("review", "ReviewEvent")
    ContentType = apps.get_model("contenttypes", "ContentType")
    ModelLogEntry = apps.get_model("wagtailcore", "ModelLogEntry")
    UserProfile = apps.get_model("catalogue", "UserProfile")

    Submission.objects.filter(status="approved").update(status="selected")
    thresholds = {row.campaign_id: row for row in CampaignReview.objects.all()}
    for submission in Submission.objects.filter(status__in=["selected", "published"]).exclude(award=""):
        if submission.award != _award_for(thresholds.get(submission.campaign_id), submission.final_score):
            Submission.objects.filter(pk=submission.pk).update(award_manual=True)

    content_type = ContentType.objects.filter(app_label="review", model="submission").first()
    if content_type is None:
        return
    roles = dict(UserProfile.objects.values_list("user_id", "role"))
    rounds = {}
    entries = ModelLogEntry.objects.filter(content_type=content_type, action__in=list(ACTIONS)).order_by(
        "timestamp", "id"
    )
    existing = set(Submission.objects.values_list("pk", flat=True))
    batch = []
    for entry in entries.iterator():
        if not str(entry.object_id).isdigit() or int(entry.object_id) not in existing:
            continue
        submission_id = int(entry.object_id)
        action, role, from_state, to_state = ACTIONS[entry.action]
        data = entry.data or {}
        if action == "submit":
            rounds[submission_id] = data.get("round") or rounds.get(submission_id, 0) + 1
            to_state = data.get("stage") or "county_review"
            if to_state == "approved":
                to_state = "selected"
        role = data.get("actor_role") or (roles.get(entry.user_id) if entry.user_id else "system") or role
        reason, details = _history(data, action)
        batch.append(
            ReviewEvent(
                submission_id=submission_id,
                actor_id=entry.user_id,
                actor_role=role if role in ROLES else "system",
                action=action,
                from_state=from_state,
                to_state=to_state or "",
                round=rounds.get(submission_id, 0),
                reason=reason,
                data=details,
                created_at=entry.timestamp,
            )
        )
    ReviewEvent.objects.bulk_create(batch, batch_size=500)


def backwards(apps, schema_editor):
    Submission = apps.get_model("review", "Submission")
    Submission.objects.filter(status__in=["selected", "publicity"]).update(status="approved")
    Submission.objects.filter(status__in=["checking", "withdrawn"]).update(status="draft")
    apps.get_model("review", "ReviewEvent").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("review", "0003_review_pipeline"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
