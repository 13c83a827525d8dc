"""What the review app stores about a person: a teacher's submissions, anyone's notifications, a
city expert's matching profile and reviews. Registered in wagtail_hooks.py (see ops.personal_data).

When a model with a user link is added here, add it to a handler below (or a new one):
tests/hardening/test_personal_data_coverage.py fails until then."""

from ops.personal_data import PersonalDataHandler

from .models import ExpertProfile, ExpertReview, Notification, Submission


def _iso(moment):
    return moment.isoformat() if moment else None


def _export_submissions(user) -> list[dict]:
    return [
        {
            "id": s.pk,
            "title": s.title,
            "campaign": s.campaign.title,
            "status": str(s.get_status_display()),
            "region": s.region.name,
            "school": s.school.name if s.school else None,
            "round": s.round,
            "submitted_at": _iso(s.submitted_at),
            "reason": s.reason,
            "final_score": str(s.final_score) if s.final_score is not None else None,
            "award": str(s.get_award_display()) if s.award else None,
            "created_at": _iso(s.created_at),
            "updated_at": _iso(s.updated_at),
        }
        for s in Submission.objects.filter(teacher=user).select_related("page", "campaign", "region", "school")
    ]


def _export_notifications(user) -> list[dict]:
    return [
        {"time": _iso(n.created_at), "kind": n.kind, "message": n.message, "read_at": _iso(n.read_at)}
        for n in Notification.objects.filter(user=user).order_by("created_at", "id")
    ]


def _export_expert(user) -> dict:
    profile = ExpertProfile.objects.filter(user=user).prefetch_related("subjects", "themes").first()
    reviews = (
        ExpertReview.objects.filter(expert=user)
        .select_related("submission__page")
        .prefetch_related("vetoes", "scores__criterion")
        .order_by("assigned_at", "id")
    )
    return {
        "profile": (
            {
                "subjects": [s.name for s in profile.subjects.all()],
                "themes": [t.name for t in profile.themes.all()],
                "accepts_assignments": profile.accepts_assignments,
            }
            if profile
            else None
        ),
        "reviews": [
            {
                "submission": r.submission.title,
                "status": str(r.get_status_display()),
                "third_expert": r.is_third,
                "total": str(r.total) if r.total is not None else None,
                "comment": r.comment,
                "vetoes": [v.name for v in r.vetoes.all()],
                "scores": [
                    {"criterion": s.criterion.name, "score": str(s.score), "comment": s.comment} for s in r.scores.all()
                ],
                "assigned_at": _iso(r.assigned_at),
                "submitted_at": _iso(r.submitted_at),
            }
            for r in reviews
        ],
    }


def _keep(user) -> int:
    return 0


HANDLERS = [
    PersonalDataHandler(
        section="submissions",
        covers=("review.Submission.teacher",),
        export=_export_submissions,
        erase=_keep,
        erasure="申报及其评审结果是征集活动的档案，保留，只指向匿名账号（作品署名随资源发布，不变）。",
    ),
    PersonalDataHandler(
        section="notifications",
        covers=("review.Notification.user",),
        export=_export_notifications,
        erase=lambda user: Notification.objects.filter(user=user).delete()[0],
        erasure="站内通知删除。",
    ),
    PersonalDataHandler(
        section="expert_reviews",
        covers=("review.ExpertProfile.user", "review.ExpertReview.expert"),
        export=_export_expert,
        erase=lambda user: ExpertProfile.objects.filter(user=user).delete()[0],
        erasure="专家擅长领域删除（不再被分配）；已提交的评分和评语作为评审记录保留（审必留痕），只指向匿名账号。",
    ),
]
