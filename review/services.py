"""Writes of the review app. Keyword-only, typed; every transition is atomic, checks the current
state, logs to Wagtail's audit log, then sends `review.signals.submission_changed`.

Audit log entries of the review live on the Submission (a ModelLogEntry), with the acting user;
Wagtail's own workflow entries live on the page. Expert actions are recorded there with the expert
for the audit, while the page's workflow history and the teacher's history never name an expert.
"""

import hashlib
import logging
import uuid
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import File
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.log_actions import log
from wagtail.models import Collection, Workflow, WorkflowTask

from catalogue.models import CampaignPage, ResourceFile, ResourceGalleryImage, ResourcePage, Role
from catalogue.services import plain_text_to_rich_text

from . import checks as tech
from .models import (
    Award,
    CampaignReview,
    CountyReviewTask,
    CountyReviewTaskState,
    Criterion,
    CriterionScore,
    DocumentFingerprint,
    ExpertProfile,
    ExpertReview,
    ExpertReviewTask,
    ExpertReviewTaskState,
    Notification,
    QualityStandard,
    SelectionTask,
    SelectionTaskState,
    Stage,
    Submission,
    VetoItem,
)
from .models.workflow import role_of
from .signals import submission_changed
from .tasks import notification_email_send

logger = logging.getLogger(__name__)

WORKFLOW_NAME = "征集评审流程"
UPLOAD_COLLECTION = "征集申报"
TWO = Decimal("0.01")


class SubmissionError(ValidationError):
    """A teacher-facing refusal: the messages say what to do."""


# --- set-up -------------------------------------------------------------------------------------


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


# --- notifications ------------------------------------------------------------------------------


def notify(*, users, submission: Submission | None, kind: str, message: str, link: str = "") -> list[Notification]:
    created = []
    for user in {u.pk: u for u in users if u is not None}.values():
        notification = Notification.objects.create(
            user=user, submission=submission, kind=kind, message=message, link=link
        )
        created.append(notification)
        if user.email:
            notification_email_send.enqueue(notification_id=notification.pk)
    return created


def _teacher_link(submission):
    return f"/submit/{submission.pk}/"


def _notify_teacher(submission, kind: str, message: str) -> None:
    """Tell the submission's teacher, linking to the submission on their desk."""
    notify(
        users=[submission.teacher], submission=submission, kind=kind, message=message, link=_teacher_link(submission)
    )


def _review_link(submission):
    return f"/review/{submission.pk}/"


def _county_reviewers(submission):
    User = get_user_model()
    return User.objects.filter(is_active=True, profile__role=Role.COUNTY_REVIEWER, profile__region=submission.region)


def _resource_admins():
    User = get_user_model()
    return User.objects.filter(is_active=True, profile__role=Role.RESOURCE_ADMIN)


def notifications_mark_read(*, user, ids=None) -> int:
    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids:
        qs = qs.filter(pk__in=ids)
    return qs.update(read_at=timezone.now())


# --- drafts -------------------------------------------------------------------------------------


def _collection():
    root = Collection.get_first_root_node()
    return root.get_children().filter(name=UPLOAD_COLLECTION).first() or root.add_child(name=UPLOAD_COLLECTION)


def _fingerprint(document) -> DocumentFingerprint:
    existing = DocumentFingerprint.objects.filter(document=document).first()
    if existing:
        return existing
    digest = hashlib.sha256()
    with document.file.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1024 * 1024), b""):
            digest.update(chunk)
    size = document.file.size
    return DocumentFingerprint.objects.create(document=document, sha256=digest.hexdigest(), size=size)


def _store_document(upload, *, title, user):
    Document = get_document_model()
    document = Document(title=title, collection=_collection(), uploaded_by_user=user)
    document.file.save(upload.name, File(upload), save=False)
    document.save()
    _fingerprint(document)
    return document


def _store_image(upload, *, title, user):
    Image = get_image_model()
    image = Image(title=title, collection=_collection(), uploaded_by_user=user)
    image.file.save(upload.name, File(upload), save=False)
    image.save()
    return image


FILE_KIND_FOR_TYPE = {"video": ResourceFile.Kind.VIDEO, "audio": ResourceFile.Kind.AUDIO}


def current_campaign():
    """The campaign teachers submit to: the one open today, else the latest."""
    today = timezone.localdate()
    campaigns = CampaignPage.objects.order_by("-year")
    return next((c for c in campaigns if c.is_open_on(today)), None) or campaigns.first()


@transaction.atomic
def submission_save(
    *, teacher, data: dict, files: dict, submission: Submission | None = None, campaign=None
) -> Submission:
    """Create or update a teacher's draft. `data` is a cleaned SubmissionForm; `files` its uploads.

    Drafts may be saved at any time (also after the campaign closed); submitting is date-gated.
    """
    profile = getattr(teacher, "profile", None)
    if role_of(teacher) != Role.TEACHER or profile.region_id is None:
        raise PermissionDenied
    if submission is not None:
        if submission.teacher_id != teacher.pk:
            raise PermissionDenied
        if not submission.is_editable_by_teacher:
            raise SubmissionError(_("作品正在评审中，暂时不能修改。"))
        page = submission.page.get_latest_revision_as_object()
    else:
        campaign = campaign or current_campaign()
        if campaign is None:
            raise SubmissionError(_("目前没有征集活动。"))
        campaign_review_ensure(campaign=campaign)
        page = ResourcePage(owner=teacher, live=False, year=campaign.year, source=ResourcePage.Source.LOCAL)
    page.title = data["title"]
    page.draft_title = data["title"]
    page.description = plain_text_to_rich_text(data["description"])
    page.theme = data["theme"]
    page.topic = data.get("topic")
    page.stage = data["stage"]
    page.resource_type = data["resource_type"]
    page.authors = data["authors"]
    page.co_authors = data.get("co_authors", "")
    page.external_url = data.get("external_url", "")
    page.licence = data["licence"]
    page.licence_confirmed = bool(data.get("licence_confirmed"))
    page.region_id = profile.region_id
    page.school_id = profile.school_id
    page.subjects = list(data["subjects"])
    page.grades = list(data.get("grades") or [])
    title = data["title"]
    if files.get("cover"):
        page.cover_image = _store_image(files["cover"], title=_("封面：%(t)s") % {"t": title}, user=teacher)
    existing_files = list(page.files.all())
    new_files = []
    if files.get("main_file"):
        kind = FILE_KIND_FOR_TYPE.get(page.resource_type.code, ResourceFile.Kind.DOCUMENT)
        new_files.append(
            ResourceFile(
                document=_store_document(files["main_file"], title=title, user=teacher), kind=kind, caption=_("主文件")
            )
        )
        existing_files = [f for f in existing_files if f.caption != _("主文件")]
    if files.get("extra_file"):
        new_files.append(
            ResourceFile(
                document=_store_document(files["extra_file"], title=_("配套材料：%(t)s") % {"t": title}, user=teacher),
                kind=ResourceFile.Kind.DOCUMENT,
                caption=_("配套材料"),
            )
        )
        existing_files = [f for f in existing_files if f.caption != _("配套材料")]
    if new_files:
        page.files = existing_files + new_files
    gallery = files.get("gallery") or []
    if gallery:
        page.gallery_images = [
            ResourceGalleryImage(
                image=_store_image(upload, title=_("图集：%(t)s") % {"t": title}, user=teacher), caption=""
            )
            for upload in gallery
        ]
    if submission is None:
        page.slug = f"s{campaign.year}-{uuid.uuid4().hex[:12]}"
        campaign.add_child(instance=page)
        submission = Submission.objects.create(
            page=page, campaign=campaign, teacher=teacher, region_id=profile.region_id, school_id=profile.school_id
        )
        log(instance=submission, action="review.create", user=teacher, data={"title": title})
    else:
        # Until publication the page row is the draft: keep it (taxonomy, files) in step with the
        # latest revision, so listings, filters and the duplicate guard read current values.
        page.save(clean=False)
        log(instance=submission, action="review.edit", user=teacher, data={"title": title})
    page.save_revision(user=teacher, log_action=False, clean=False)
    submission.save(update_fields=["updated_at"])
    return submission


# --- submit -------------------------------------------------------------------------------------


def _missing_fields(page) -> list[str]:
    problems = []
    code = page.resource_type.code
    if code == "link":
        if not page.external_url:
            problems.append(_("请填写虚拟展馆/外部链接的网址。"))
    elif code == "gallery":
        if not list(page.gallery_images.all()):
            problems.append(_("请上传图集图片。"))
    elif not [f for f in page.files.all() if f.caption == _("主文件")]:
        problems.append(_("请上传作品的主文件（%(t)s）。") % {"t": page.resource_type.name})
    if not page.cover_image_id:
        problems.append(_("请上传封面图。"))
    if not page.licence_confirmed:
        problems.append(_("请勾选原创/授权承诺。"))
    return problems


def _run_checks(page, standard) -> list[dict]:
    results = []
    code = page.resource_type.code
    for resource_file in page.files.all():
        document = resource_file.document
        kind = resource_file.kind if resource_file.caption == _("主文件") else "document"
        with document.file.open("rb"):
            path = document.file.path
        results += [
            c.as_dict()
            for c in tech.check_file(
                path,
                name=document.filename,
                size=document.file.size,
                kind=kind,
                standard=standard,
                resource_type_code=code,
            )
        ]
    if page.cover_image_id:
        image = page.cover_image
        results += [
            c.as_dict()
            for c in tech.check_file(
                image.file.path, name=image.filename, size=image.file.size, kind="cover", standard=standard
            )
        ]
    for item in page.gallery_images.all():
        results += [
            c.as_dict()
            for c in tech.check_file(
                item.image.file.path,
                name=item.image.filename,
                size=item.image.file.size,
                kind="image",
                standard=standard,
            )
        ]
    return results


def _duplicates(submission, page) -> list[str]:
    """Files of this submission whose SHA-256 equals a file already submitted or published."""
    messages = []
    for resource_file in page.files.all():
        fingerprint = _fingerprint(resource_file.document)
        # Documents uploaded outside review (imports, the admin) are fingerprinted on demand,
        # only when their size matches: hashing is then rare.
        unhashed = (
            get_document_model()
            .objects.filter(fingerprint__isnull=True)
            .filter(Q(file_size=fingerprint.size) | Q(file_size__isnull=True))
        )
        for candidate in unhashed.exclude(pk=resource_file.document_id):
            _fingerprint(candidate)
        same = DocumentFingerprint.objects.filter(sha256=fingerprint.sha256).exclude(
            document_id=resource_file.document_id
        )
        pages = ResourcePage.objects.filter(files__document__in=same.values("document")).exclude(pk=page.pk).distinct()
        for other in pages:
            other_submission = Submission.objects.filter(page=other).first()
            shown = other.live or (
                other_submission is not None and other_submission.status not in (Stage.DRAFT, Stage.REJECTED)
            )
            if shown:
                messages.append(
                    _("《%(f)s》与已%(how)s的资源《%(t)s》（%(y)s 年）是同一个文件，不能重复提交。")
                    % {
                        "f": resource_file.document.filename,
                        "how": _("发布") if other.live else _("提交"),
                        "t": other.title,
                        "y": other.year,
                    }
                )
                break
    return messages


def submission_submit(*, submission: Submission, user) -> Submission:
    """Submit (or resubmit after a return). Refuses with SubmissionError, changing nothing but the
    stored check results, when the campaign is closed, something is missing, a file is a
    duplicate or a hard technical check fails."""
    try:
        return _submit(submission=submission, user=user)
    except _CheckFailure as failure:
        # The transaction rolled back; keep the results so the teacher and reviewers can see them.
        Submission.objects.filter(pk=failure.submission_id).update(checks=failure.results)
        raise SubmissionError(failure.messages) from None


@transaction.atomic
def _submit(*, submission: Submission, user) -> Submission:
    submission = Submission.objects.select_for_update().get(pk=submission.pk)
    if submission.teacher_id != user.pk:
        raise PermissionDenied
    if submission.status not in (Stage.DRAFT, Stage.RETURNED):
        raise SubmissionError(_("作品已提交，正在评审中。"))
    campaign = submission.campaign
    # The window applies to entering the campaign; work returned for revision during the review
    # (which usually runs after the closing date) may always be resubmitted.
    if submission.status == Stage.DRAFT and not campaign.is_open:
        raise SubmissionError(
            _("“%(c)s”的征集时间为 %(a)s 至 %(b)s，现在不在征集时间内，不能提交。草稿已为您保存。")
            % {"c": campaign.title, "a": campaign.opens_on, "b": campaign.closes_on}
        )
    page = submission.page.get_latest_revision_as_object()
    problems = _missing_fields(page)
    if problems:
        raise SubmissionError(problems)
    duplicates = _duplicates(submission, page)
    if duplicates:
        raise SubmissionError(duplicates)
    standard = campaign_review_ensure(campaign=campaign).standard
    results = _run_checks(page, standard)
    hard = [c["message"] for c in results if c["level"] == tech.HARD and not c["passed"]]
    submission.checks = results
    if hard:
        raise _CheckFailure(hard, submission_id=submission.pk, results=results)
    old = submission.status
    if old == Stage.DRAFT:
        workflow = review_workflow_ensure()
        workflow.start(submission.page, user)
        submission.submitted_at = timezone.now()
        submission.round = 1
        action = "review.submit"
    else:
        state = submission.page.current_workflow_state
        state.resume(user=user)
        submission.round += 1
        action = "review.resubmit"
    submission.status = _stage_of_current_task(submission)
    submission.reason = ""
    submission.returned_by_stage = ""
    submission.save()
    warnings = [c["message"] for c in results if c["level"] == tech.SOFT and not c["passed"]]
    log(
        instance=submission,
        action=action,
        user=user,
        data={"round": submission.round, "warnings": warnings, "stage": submission.status},
    )
    notify(
        users=[user],
        submission=submission,
        kind=Notification.Kind.SUBMITTED,
        message=_("您的作品《%(t)s》已提交，当前环节：%(s)s。")
        % {"t": submission.title, "s": submission.get_status_display()},
        link=_teacher_link(submission),
    )
    if submission.status == Stage.COUNTY_REVIEW:
        notify(
            users=_county_reviewers(submission),
            submission=submission,
            kind=Notification.Kind.TO_REVIEW,
            message=_("《%(t)s》等待县区初审。") % {"t": submission.title},
            link=_review_link(submission),
        )
    submission_changed.send(sender=Submission, submission=submission, old=old, new=submission.status, user=user)
    return submission


class _CheckFailure(SubmissionError):
    def __init__(self, messages, *, submission_id, results):
        super().__init__(messages)
        self.submission_id = submission_id
        self.results = results


def _stage_of_current_task(submission) -> str:
    task_state = submission.page.current_workflow_task_state
    if isinstance(task_state, CountyReviewTaskState):
        return Stage.COUNTY_REVIEW
    if isinstance(task_state, ExpertReviewTaskState):
        return Stage.EXPERT_REVIEW
    if isinstance(task_state, SelectionTaskState):
        return Stage.APPROVED
    return submission.status


# --- county review ------------------------------------------------------------------------------


def county_reviewer_may_act(user, submission) -> bool:
    profile = getattr(user, "profile", None)
    return (
        role_of(user) == Role.COUNTY_REVIEWER
        and profile.region_id is not None
        and profile.region_id == submission.region_id
    )


@transaction.atomic
def county_decide(*, submission: Submission, user, decision: str, reason: str = "") -> Submission:
    """approve → city expert review; reject → returned to the teacher; decline → not passed."""
    submission = Submission.objects.select_for_update().get(pk=submission.pk)
    if not county_reviewer_may_act(user, submission):
        raise PermissionDenied
    task_state = submission.page.current_workflow_task_state
    if submission.status != Stage.COUNTY_REVIEW or not isinstance(task_state, CountyReviewTaskState):
        raise SubmissionError(_("该作品当前不在县区初审环节。"))
    reason = (reason or "").strip()
    if decision in ("reject", "decline") and not reason:
        raise SubmissionError(_("退回修改或不予通过时，必须填写理由。"))
    old = submission.status
    if decision == "approve":
        task_state.approve(user=user, comment=reason)
        submission.status = _stage_of_current_task(submission)
        action, kind = "review.county_approve", Notification.Kind.APPROVED
        message = _("您的作品《%(t)s》已通过县区初审，进入市级专家评审。") % {"t": submission.title}
    elif decision == "reject":
        task_state.reject(user=user, comment=reason)
        submission.status, submission.returned_by_stage, submission.reason = Stage.RETURNED, "county", reason
        action, kind = "review.county_return", Notification.Kind.RETURNED
        message = _("您的作品《%(t)s》被县区初审退回修改：%(r)s") % {"t": submission.title, "r": reason}
    elif decision == "decline":
        submission.page.current_workflow_state.cancel(user=user)
        submission.status, submission.reason = Stage.REJECTED, reason
        action, kind = "review.county_decline", Notification.Kind.REJECTED
        message = _("您的作品《%(t)s》未通过县区初审：%(r)s") % {"t": submission.title, "r": reason}
    else:
        raise SubmissionError(_("未知的操作。"))
    submission.save()
    log(instance=submission, action=action, user=user, data={"reason": reason, "actor_role": Role.COUNTY_REVIEWER})
    _notify_teacher(submission, kind, message)
    submission_changed.send(sender=Submission, submission=submission, old=old, new=submission.status, user=user)
    return submission


# --- expert review ------------------------------------------------------------------------------


def expert_candidates(*, submission: Submission, exclude_ids=()) -> list:
    """City experts who may review `submission`, best first: never its school's staff; most matching
    subjects/theme first, then the lightest pending load."""
    User = get_user_model()
    experts = (
        User.objects.filter(is_active=True, profile__role=Role.CITY_EXPERT)
        .exclude(pk__in=list(exclude_ids))
        .exclude(expert_profile__accepts_assignments=False)
        .select_related("profile")
        .annotate(load=Count("expert_reviews", filter=Q(expert_reviews__status=ExpertReview.Status.ASSIGNED)))
    )
    if submission.school_id:
        experts = experts.exclude(profile__school_id=submission.school_id)
    page = submission.page
    subject_ids = set(page.subjects.values_list("pk", flat=True))
    profiles = {
        p.user_id: p for p in ExpertProfile.objects.filter(user__in=experts).prefetch_related("subjects", "themes")
    }

    def match(user):
        profile = profiles.get(user.pk)
        if profile is None:
            return 0
        score = len(subject_ids & {s.pk for s in profile.subjects.all()})
        score += 1 if page.theme_id in {t.pk for t in profile.themes.all()} else 0
        return score

    return sorted(experts, key=lambda u: (-match(u), u.load, u.pk))


def experts_assign(*, task_state: ExpertReviewTaskState, count: int = 2, is_third: bool = False) -> list[ExpertReview]:
    """Assign experts to a new expert round. A resumed round (after a return) keeps its experts."""
    submission = Submission.objects.get(page_id=task_state.workflow_state.object_id)
    previous = (
        ExpertReview.objects.filter(task_state__workflow_state=task_state.workflow_state)
        .exclude(task_state=task_state)
        .exclude(status=ExpertReview.Status.WITHDRAWN)
        .order_by("-task_state__started_at", "assigned_at")
    )
    chosen = []
    if previous.exists() and not is_third:
        last_round = previous.first().task_state_id
        chosen = [r.expert for r in previous.filter(task_state_id=last_round, is_third=False).select_related("expert")]
        chosen = [
            e
            for e in chosen
            if e.is_active and not (submission.school_id and e.profile.school_id == submission.school_id)
        ]
    taken = set(
        ExpertReview.objects.filter(task_state=task_state)
        .exclude(status=ExpertReview.Status.WITHDRAWN)
        .values_list("expert_id", flat=True)
    )
    if len(chosen) < count:
        more = expert_candidates(submission=submission, exclude_ids=taken | {e.pk for e in chosen})
        chosen += more[: count - len(chosen)]
    reviews = [
        ExpertReview.objects.create(task_state=task_state, submission=submission, expert=e, is_third=is_third)
        for e in chosen[:count]
    ]
    for review in reviews:
        log(
            instance=submission,
            action="review.expert_assign",
            user=None,
            data={"expert_id": review.expert_id, "third": is_third, "actor_role": "system"},
        )
        notify(
            users=[review.expert],
            submission=submission,
            kind=Notification.Kind.TO_REVIEW,
            message=_("您有一件作品《%(t)s》待评分。") % {"t": submission.title},
            link=_review_link(submission),
        )
    if len(reviews) < count:
        notify(
            users=_resource_admins(),
            submission=submission,
            kind=Notification.Kind.TO_REVIEW,
            message=_("《%(t)s》没有足够的可分配专家（需要 %(n)d 位），请在评审台手动指派。")
            % {"t": submission.title, "n": count},
            link=_review_link(submission),
        )
    return reviews


@transaction.atomic
def expert_reassign(*, review: ExpertReview, new_expert, user) -> ExpertReview:
    """An admin moves a pending assignment to another expert (never one from the submission's school)."""
    if not (user.is_superuser or role_of(user) == Role.RESOURCE_ADMIN):
        raise PermissionDenied
    review = ExpertReview.objects.select_for_update().select_related("submission").get(pk=review.pk)
    if review.status != ExpertReview.Status.ASSIGNED:
        raise SubmissionError(_("该专家已提交评分，不能改派。"))
    submission = review.submission
    if role_of(new_expert) != Role.CITY_EXPERT:
        raise SubmissionError(_("只能指派市级评审专家。"))
    if submission.school_id and new_expert.profile.school_id == submission.school_id:
        raise SubmissionError(_("专家不能评审本校作品，请另选专家。"))
    if (
        ExpertReview.objects.filter(task_state=review.task_state, expert=new_expert)
        .exclude(status=ExpertReview.Status.WITHDRAWN)
        .exists()
    ):
        raise SubmissionError(_("该专家已在评审这件作品。"))
    review.status = ExpertReview.Status.WITHDRAWN
    review.save(update_fields=["status"])
    new = ExpertReview.objects.create(
        task_state=review.task_state, submission=submission, expert=new_expert, is_third=review.is_third
    )
    log(
        instance=submission,
        action="review.expert_reassign",
        user=user,
        data={"from": review.expert_id, "to": new_expert.pk, "actor_role": Role.RESOURCE_ADMIN},
    )
    notify(
        users=[new_expert],
        submission=submission,
        kind=Notification.Kind.TO_REVIEW,
        message=_("您有一件作品《%(t)s》待评分。") % {"t": submission.title},
        link=_review_link(submission),
    )
    return new


def final_score(totals: list[Decimal]) -> Decimal:
    """Mean of two scores; with three, the mean of the two closest (ties: the higher pair)."""
    totals = sorted(Decimal(t) for t in totals)
    if len(totals) == 2:
        pair = totals
    elif len(totals) == 3:
        low_gap, high_gap = totals[1] - totals[0], totals[2] - totals[1]
        pair = totals[:2] if low_gap < high_gap else totals[1:]
    else:
        raise ValueError("final score needs two or three expert totals")
    return ((pair[0] + pair[1]) / 2).quantize(TWO, rounding=ROUND_HALF_UP)


def _expert_review_for(review_id, user) -> ExpertReview:
    review = ExpertReview.objects.select_for_update().select_related("submission", "task_state").get(pk=review_id)
    if review.expert_id != user.pk or role_of(user) != Role.CITY_EXPERT:
        raise PermissionDenied
    submission = review.submission
    if submission.school_id and user.profile.school_id == submission.school_id:
        raise PermissionDenied
    if review.status != ExpertReview.Status.ASSIGNED or submission.status != Stage.EXPERT_REVIEW:
        raise SubmissionError(_("这项评审已结束或已提交。"))
    return review


@transaction.atomic
def expert_score(*, review: ExpertReview, user, scores: dict, vetoes=(), comment: str) -> ExpertReview:
    """Record one expert's veto marks and criterion scores, then settle the round if complete.

    `scores` maps criterion id to (score, comment)."""
    review = _expert_review_for(review.pk, user)
    submission = review.submission
    standard = submission.campaign.review_settings.standard
    criteria = list(standard.criteria.all())
    comment = (comment or "").strip()
    errors = []
    if not comment:
        errors.append(_("请填写总体评语。"))
    rows = []
    for criterion in criteria:
        value, note = scores.get(criterion.pk, (None, ""))
        try:
            value = Decimal(str(value))
        except (ArithmeticError, ValueError, TypeError):
            value = None
        if value is None or value < 0 or value > criterion.max_points:
            errors.append(_("“%(n)s”的得分应在 0 到 %(m)d 分之间。") % {"n": criterion.name, "m": criterion.max_points})
            continue
        rows.append(
            CriterionScore(review=review, criterion=criterion, score=value.quantize(TWO), comment=(note or "")[:500])
        )
    veto_items = list(standard.veto_items.filter(pk__in=list(vetoes)))
    if errors:
        raise SubmissionError(errors)
    CriterionScore.objects.bulk_create(rows)
    review.vetoes.set(veto_items)
    review.total = sum((r.score for r in rows), Decimal("0")).quantize(TWO)
    review.comment = comment
    review.status = ExpertReview.Status.SUBMITTED
    review.submitted_at = timezone.now()
    review.save()
    log(
        instance=submission,
        action="review.expert_score",
        user=user,
        data={
            "total": str(review.total),
            "vetoes": [v.name for v in veto_items],
            "comment": comment,
            "actor_role": Role.CITY_EXPERT,
        },
    )
    _expert_round_settle(submission=submission, task_state=review.task_state, standard=standard)
    return review


def _close_open_reviews(task_state):
    ExpertReview.objects.filter(task_state=task_state, status=ExpertReview.Status.ASSIGNED).update(
        status=ExpertReview.Status.CLOSED
    )


def _reject(submission, *, reason, action, user=None):
    old = submission.status
    submission.page.current_workflow_state.cancel(user=user)
    submission.status, submission.reason = Stage.REJECTED, reason
    submission.save()
    log(instance=submission, action=action, user=user, data={"reason": reason, "actor_role": "system"})
    _notify_teacher(
        submission,
        Notification.Kind.REJECTED,
        _("您的作品《%(t)s》未通过市级评审：%(r)s") % {"t": submission.title, "r": reason},
    )
    submission_changed.send(sender=Submission, submission=submission, old=old, new=submission.status, user=user)


def _expert_round_settle(*, submission, task_state, standard):
    reviews = list(
        ExpertReview.objects.filter(task_state=task_state)
        .exclude(status=ExpertReview.Status.WITHDRAWN)
        .prefetch_related("vetoes")
    )
    vetoed = sorted({v.name for r in reviews if r.status == ExpertReview.Status.SUBMITTED for v in r.vetoes.all()})
    if vetoed:
        _close_open_reviews(task_state)
        _reject(submission, reason=_("一票否决：%(v)s") % {"v": "、".join(vetoed)}, action="review.veto")
        return
    if any(r.status == ExpertReview.Status.ASSIGNED for r in reviews):
        return
    totals = [r.total for r in reviews if r.status == ExpertReview.Status.SUBMITTED]
    if len(totals) < 2:
        return
    if len(totals) == 2 and abs(totals[0] - totals[1]) > standard.third_expert_gap:
        assigned = experts_assign(task_state=task_state, count=1, is_third=True)
        log(
            instance=submission,
            action="review.third_expert",
            user=None,
            data={
                "gap": str(abs(totals[0] - totals[1])),
                "limit": str(standard.third_expert_gap),
                "assigned": bool(assigned),
                "actor_role": "system",
            },
        )
        return
    score = final_score(totals[:3])
    submission.final_score = score
    if score < standard.pass_mark:
        submission.save(update_fields=["final_score"])
        _reject(
            submission,
            reason=_("最终得分 %(s)s 分，低于合格线 %(p)d 分") % {"s": score, "p": standard.pass_mark},
            action="review.below_pass",
        )
        return
    old = submission.status
    submission.award = submission.campaign.review_settings.award_for(score)
    task_state.approve(user=None, comment=_("最终得分 %(s)s") % {"s": score})
    submission.status = _stage_of_current_task(submission)
    submission.save()
    log(
        instance=submission,
        action="review.expert_done",
        user=None,
        data={"final_score": str(score), "actor_role": "system"},
    )
    _notify_teacher(
        submission,
        Notification.Kind.APPROVED,
        _("您的作品《%(t)s》通过市级专家评审，最终得分 %(s)s 分，等待遴选入库。") % {"t": submission.title, "s": score},
    )
    notify(
        users=_resource_admins(),
        submission=submission,
        kind=Notification.Kind.TO_REVIEW,
        message=_("《%(t)s》评审完成，待遴选。") % {"t": submission.title},
        link="/review/selection/",
    )
    submission_changed.send(sender=Submission, submission=submission, old=old, new=submission.status, user=None)


@transaction.atomic
def expert_return(*, review: ExpertReview, user, reason: str) -> Submission:
    """An expert sends the work back to the teacher; resubmission resumes at city expert review."""
    review = _expert_review_for(review.pk, user)
    reason = (reason or "").strip()
    if not reason:
        raise SubmissionError(_("退回修改时，必须填写理由。"))
    submission = review.submission
    old = submission.status
    review.comment = reason
    review.status = ExpertReview.Status.CLOSED
    review.save(update_fields=["comment", "status"])
    _close_open_reviews(review.task_state)
    # Finished without a user: the page's workflow history must not name the expert.
    review.task_state.reject(user=None, comment=reason)
    submission.status, submission.returned_by_stage, submission.reason = Stage.RETURNED, "expert", reason
    submission.save()
    log(
        instance=submission,
        action="review.expert_return",
        user=user,
        data={"reason": reason, "actor_role": Role.CITY_EXPERT},
    )
    _notify_teacher(
        submission,
        Notification.Kind.RETURNED,
        _("您的作品《%(t)s》被市级评审专家退回修改：%(r)s") % {"t": submission.title, "r": reason},
    )
    submission_changed.send(sender=Submission, submission=submission, old=old, new=submission.status, user=user)
    return submission


# --- selection ----------------------------------------------------------------------------------


def _require_admin(user):
    if not (user.is_superuser or role_of(user) == Role.RESOURCE_ADMIN):
        raise PermissionDenied


@transaction.atomic
def submission_award_set(*, submission: Submission, award: str, user) -> Submission:
    _require_admin(user)
    if award and award not in Award.values:
        raise SubmissionError(_("未知的奖项。"))
    if submission.status not in (Stage.APPROVED, Stage.PUBLISHED):
        raise SubmissionError(_("只有评审通过的作品可以评定奖项。"))
    previous = submission.award
    submission.award = award
    submission.save(update_fields=["award", "updated_at"])
    if submission.status == Stage.PUBLISHED:
        ResourcePage.objects.filter(pk=submission.page_id).update(award=submission.get_award_display() if award else "")
    log(
        instance=submission,
        action="review.award",
        user=user,
        data={"from": previous, "to": award, "actor_role": Role.RESOURCE_ADMIN},
    )
    return submission


@transaction.atomic
def awards_apply_thresholds(*, campaign, user) -> int:
    """Set every approved submission's award from the campaign's thresholds."""
    _require_admin(user)
    settings_row = campaign_review_ensure(campaign=campaign)
    changed = 0
    for submission in Submission.objects.filter(campaign=campaign, status=Stage.APPROVED):
        award = settings_row.award_for(submission.final_score)
        if award != submission.award:
            submission_award_set(submission=submission, award=award, user=user)
            changed += 1
    return changed


@transaction.atomic
def submissions_publish(*, submissions, user) -> int:
    """Publish approved submissions into the catalogue, keeping their award and final score."""
    _require_admin(user)
    published = 0
    for submission in submissions:
        submission = Submission.objects.select_for_update().get(pk=submission.pk)
        if submission.status != Stage.APPROVED:
            raise SubmissionError(_("《%(t)s》尚未评审通过，不能发布。") % {"t": submission.title})
        task_state = submission.page.current_workflow_task_state
        if not isinstance(task_state, SelectionTaskState):
            raise SubmissionError(_("《%(t)s》不在遴选环节。") % {"t": submission.title})
        award_label = submission.get_award_display() if submission.award else ""
        page = submission.page.get_latest_revision_as_object()
        page.award = award_label
        page.final_score = submission.final_score
        page.save_revision(user=user, log_action=False)
        # Approving the last task finishes the workflow; Wagtail then publishes the latest revision.
        task_state.approve(user=user)
        # award/final_score are editable=False: make sure the live row carries them whatever the revision held.
        ResourcePage.objects.filter(pk=submission.page_id).update(award=award_label, final_score=submission.final_score)
        old = submission.status
        submission.status = Stage.PUBLISHED
        submission.save(update_fields=["status", "updated_at"])
        log(
            instance=submission,
            action="review.publish",
            user=user,
            data={"award": award_label, "final_score": str(submission.final_score), "actor_role": Role.RESOURCE_ADMIN},
        )
        _notify_teacher(
            submission,
            Notification.Kind.PUBLISHED,
            _("祝贺！您的作品《%(t)s》已入库发布%(a)s。")
            % {"t": submission.title, "a": f"（{award_label}）" if award_label else ""},
        )
        submission_changed.send(sender=Submission, submission=submission, old=old, new=submission.status, user=user)
        published += 1
    return published
