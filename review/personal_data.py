"""What the review app stores about a person: a teacher's submissions, anyone's notifications, a
city expert's matching profile and reviews, the review history of what they did, the public
notices they opened and the objections they filed or settled. Registered in wagtail_hooks.py (see
ops.personal_data).

When a model with a user link is added here, add it to a handler below (or a new one):
tests/hardening/test_personal_data_coverage.py fails until then."""

from ops.personal_data import PersonalDataHandler

from .models import (
    DraftToken,
    ExpertProfile,
    ExpertReview,
    Notification,
    Objection,
    Publicity,
    ResumableUpload,
    ReviewEvent,
    Submission,
)


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


def _export_history(user) -> list[dict]:
    return [
        {
            "time": _iso(e.created_at),
            "submission": e.submission.title,
            "role": str(e.get_actor_role_display()),
            "action": e.action,
            "from_state": e.from_state,
            "to_state": e.to_state,
            "reason": e.reason,
        }
        for e in ReviewEvent.objects.filter(actor=user).select_related("submission__page").order_by("created_at")
    ]


def _erase_history(user) -> int:
    """The review history stays as the campaign's record; who acted becomes nobody (the role stays)."""
    return ReviewEvent.objects.filter(actor=user).update(actor=None)


def _export_publicity(user) -> dict:
    return {
        "objections_filed": [
            {
                "time": _iso(o.created_at),
                "work": o.item.title,
                "reason": o.reason,
                "status": str(o.get_status_display()),
                "resolution": o.resolution,
            }
            for o in Objection.objects.filter(author=user).select_related("item").order_by("created_at")
        ],
        "objections_settled": Objection.objects.filter(resolved_by=user).count(),
        "notices_opened": [
            {"campaign": p.campaign.title, "opened_at": _iso(p.opened_at), "days": p.days}
            for p in Publicity.objects.filter(opened_by=user).select_related("campaign")
        ],
    }


def _erase_publicity(user) -> int:
    """Notices and objections stay (the notice is public, an objection is part of the record) but
    no longer name the person who opened, filed or settled them."""
    return (
        Objection.objects.filter(author=user).update(author=None)
        + Objection.objects.filter(resolved_by=user).update(resolved_by=None)
        + Publicity.objects.filter(opened_by=user).update(opened_by=None)
    )


def _export_resumable_uploads(user) -> list[dict]:
    return [
        {
            "file_name": u.filename,
            "bytes": u.length,
            "received": u.offset,
            "started_at": _iso(u.created_at),
            "expires_at": _iso(u.expires_at),
        }
        for u in ResumableUpload.objects.filter(owner=user).order_by("created_at")
    ]


def _erase_resumable_uploads(user) -> int:
    from .services.resumable import resumable_upload_delete

    uploads = list(ResumableUpload.objects.filter(owner=user))
    for upload in uploads:
        resumable_upload_delete(upload=upload)  # its row and the bytes received so far
    return len(uploads)


HANDLERS = [
    PersonalDataHandler(
        section="review_history",
        covers=("review.ReviewEvent.actor",),
        export=_export_history,
        erase=_erase_history,
        erasure="评审记录作为征集档案保留，操作人一栏改为空（角色保留）。",
    ),
    PersonalDataHandler(
        section="publicity",
        covers=("review.Objection.author", "review.Objection.resolved_by", "review.Publicity.opened_by"),
        export=_export_publicity,
        erase=_erase_publicity,
        erasure="公示和异议作为征集档案保留，不再记录是谁发起公示、提出或处理异议。",
    ),
    PersonalDataHandler(
        section="submissions",
        covers=("review.Submission.teacher",),
        export=_export_submissions,
        erase=_keep,
        erasure="申报及其评审结果是征集活动的档案，保留，只指向匿名账号（作品署名随资源发布，不变）。",
    ),
    PersonalDataHandler(
        section="draft_form_tokens",
        covers=("review.DraftToken.teacher",),
        export=lambda user: [
            {"created_at": _iso(t.created_at), "submission": t.submission_id}
            for t in DraftToken.objects.filter(teacher=user).order_by("created_at")
        ],
        erase=lambda user: DraftToken.objects.filter(teacher=user).delete()[0],
        erasure="申报表单的防重复提交标记删除（它们只用于识别重试的保存）。",
    ),
    PersonalDataHandler(
        section="resumable_uploads",
        covers=("review.ResumableUpload.owner",),
        export=_export_resumable_uploads,
        erase=_erase_resumable_uploads,
        erasure="未完成的分段上传连同服务器上已收到的部分一并删除。",
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
