"""A submission's files: staging uploads into storage, attaching them to the draft, the technical
checks bound to their bytes, the duplicate guard, and removing files a new upload replaced.

Saving a draft runs in three steps so that nothing is ever half-written:
1. `uploads_stage` (outside any transaction): every upload is inspected by the one set of rules
   (ops.uploads) and written to storage under its final name (ops.storage writes a temporary part
   and links it into place). A refusal raises before anything is written.
2. `attach_uploads` (inside the draft's transaction): the Document/Image rows, fingerprints and
   FileIntake rows are created and the files attached to the draft page.
3. After the commit, files the upload replaced are deleted; if the transaction rolled back, the
   caller discards the staged files (`StagedUploads.discard`).
"""

import datetime
import errno
import hashlib
import logging
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Collection, Revision

from catalogue.models import ResourceFile, ResourceGalleryImage, ResourcePage
from ops import uploads

from .. import checks as tech
from ..intake import check_row, intake_of, intake_record
from ..models import DocumentFingerprint, FileCheck, FileIntake, Stage, Submission
from ..signals import file_checks_finished

logger = logging.getLogger(__name__)

UPLOAD_COLLECTION = "征集申报"
MAIN, EXTRA = "主文件", "配套材料"  # captions that mark a ResourceFile's role (translated on use)
RETRY_PENDING_AFTER_SECONDS = 60


def upload_collection():
    root = Collection.get_first_root_node()
    return root.get_children().filter(name=UPLOAD_COLLECTION).first() or root.add_child(name=UPLOAD_COLLECTION)


def document_fingerprint(document) -> DocumentFingerprint:
    existing = DocumentFingerprint.objects.filter(document=document).first()
    if existing:
        return existing
    digest = hashlib.sha256()
    with document.file.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1024 * 1024), b""):
            digest.update(chunk)
    size = document.file.size
    return DocumentFingerprint.objects.create(document=document, sha256=digest.hexdigest(), size=size)


# --- faults the teacher is told about in plain words ------------------------------------------
class StorageFault(Exception):
    """Media storage could not take the file (read-only, full, unreachable): nothing was saved."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _storage_fault(exc: OSError) -> StorageFault:
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        message = _("服务器存储空间已满，文件没有保存，草稿也没有保存。请稍后再试，或联系管理员清理空间。")
    elif exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        message = _("服务器存储暂时无法写入（只读或没有权限），文件没有保存，草稿也没有保存。请联系管理员后再试。")
    else:
        message = _("服务器存储出错，文件没有保存，草稿也没有保存。请稍后再试。")
    logger.error("Media storage refused an upload: %s", exc)
    return StorageFault(message)


# --- 1. staging ---------------------------------------------------------------------------------
@dataclass
class StagedFile:
    field: str
    inspection: uploads.Inspection
    stored_name: str


@dataclass
class StagedUploads:
    """The uploads of one save, checked and in storage, not yet attached to anything."""

    files: dict = field(default_factory=dict)  # field → StagedFile, or a list of them for the gallery

    def all(self) -> list[StagedFile]:
        out = []
        for value in self.files.values():
            out += value if isinstance(value, list) else [value]
        return out

    def discard(self):
        """Delete the stored files (their rows were never committed)."""
        for staged in self.all():
            model = get_image_model() if staged.field in ("cover", "gallery") else get_document_model()
            storage = model._meta.get_field("file").storage
            try:
                storage.delete(staged.stored_name)
            except OSError as exc:  # left for `uploads_cleanup` (orphan files)
                logger.warning("Could not remove staged upload %s: %s", staged.stored_name, exc)


def _as_list(value) -> list:
    if value is None:
        return []
    return [v for v in value if v] if isinstance(value, (list, tuple)) else [value]


def _inspect(field_name: str, upload, resource_type_code: str) -> uploads.Inspection:
    """The upload's inspection (done by the form already, or here for callers outside a request)."""
    inspection = getattr(upload, "inspection", None)
    if inspection is None:
        inspection = uploads.inspect_upload(upload, accept=tech.field_kinds(field_name, resource_type_code))
        upload.inspection = inspection
    return inspection


def uploads_stage(files, *, resource_type_code: str) -> StagedUploads:
    """Inspect and store the uploads of one save (see the module docstring). Raises a
    ValidationError naming the field for a refused file, StorageFault when storage fails; in both
    cases nothing stays in storage."""
    staged = StagedUploads()
    pending = []
    for field_name in tech.FIELDS:
        getter = getattr(files, "getlist", None)
        values = getter(field_name) if getter and field_name == "gallery" else files.get(field_name)
        for upload in _as_list(values):
            try:
                pending.append((field_name, upload, _inspect(field_name, upload, resource_type_code)))
            except ValidationError as error:
                raise ValidationError({field_name: error.messages}) from None
    if len(_as_list(files.get("gallery"))) > tech.GALLERY_MAX_IMAGES:
        raise ValidationError({"gallery": [_("图集最多 %(n)d 张图片。") % {"n": tech.GALLERY_MAX_IMAGES}]})
    Document, Image = get_document_model(), get_image_model()
    try:
        for field_name, upload, inspection in pending:
            if field_name in ("cover", "gallery"):
                path = Image().get_upload_to(inspection.name)
                storage = Image._meta.get_field("file").storage
            else:
                path = Document._meta.get_field("file").generate_filename(None, inspection.name)
                storage = Document._meta.get_field("file").storage
            upload.seek(0)
            item = StagedFile(field_name, inspection, storage.save(path, upload))
            if field_name == "gallery":
                staged.files.setdefault("gallery", []).append(item)
            else:
                staged.files[field_name] = item
    except OSError as exc:
        staged.discard()
        raise _storage_fault(exc) from exc
    except BaseException:
        staged.discard()
        raise
    return staged


# --- 2. attaching ------------------------------------------------------------------------------
def _document(staged: StagedFile, *, title, user):
    document = get_document_model()(
        title=title,
        collection=upload_collection(),
        uploaded_by_user=user,
        file=staged.stored_name,
        file_size=staged.inspection.size,
        file_hash=staged.inspection.sha1,
    )
    document.save()
    DocumentFingerprint.objects.create(document=document, sha256=staged.inspection.sha256, size=staged.inspection.size)
    intake_record(inspection=staged.inspection, document=document)
    return document


def _image(staged: StagedFile, *, title, user):
    measurement = staged.inspection.measurement or {}
    image = get_image_model()(
        title=title,
        collection=upload_collection(),
        uploaded_by_user=user,
        file=staged.stored_name,
        width=measurement.get("width"),
        height=measurement.get("height"),
        file_size=staged.inspection.size,
        file_hash=staged.inspection.sha1,
    )
    image.save()
    intake_record(inspection=staged.inspection, image=image)
    return image


FILE_KIND_FOR_TYPE = {"video": ResourceFile.Kind.VIDEO, "audio": ResourceFile.Kind.AUDIO}


@dataclass
class Replaced:
    """Files an attach took off the draft: deleted after the commit (`replaced_files_discard`)."""

    document_ids: list[int] = field(default_factory=list)
    image_ids: list[int] = field(default_factory=list)


def attach_uploads(page, files, *, title: str, user) -> Replaced:
    """Attach the staged uploads of one save of the teacher's form to the draft `page` (in memory;
    the caller saves the page and its revision, in the same transaction). A new main file or
    supporting file replaces the one of the same role; a new gallery replaces the old one."""
    staged = files.files if isinstance(files, StagedUploads) else files
    replaced = Replaced()
    if staged.get("cover"):
        if page.cover_image_id:
            replaced.image_ids.append(page.cover_image_id)
        page.cover_image = _image(staged["cover"], title=_("封面：%(t)s") % {"t": title}, user=user)
    existing_files = list(page.files.all())
    new_files = []
    for field_name, caption, kind, doc_title in (
        ("main_file", _(MAIN), FILE_KIND_FOR_TYPE.get(page.resource_type.code, ResourceFile.Kind.DOCUMENT), title),
        ("extra_file", _(EXTRA), ResourceFile.Kind.DOCUMENT, _("配套材料：%(t)s") % {"t": title}),
    ):
        if staged.get(field_name):
            new_files.append(
                ResourceFile(
                    document=_document(staged[field_name], title=doc_title, user=user), kind=kind, caption=caption
                )
            )
            replaced.document_ids += [f.document_id for f in existing_files if f.caption == caption]
            existing_files = [f for f in existing_files if f.caption != caption]
    main_kind = FILE_KIND_FOR_TYPE.get(page.resource_type.code, ResourceFile.Kind.DOCUMENT)
    for resource_file in existing_files:  # the resource type may have changed
        if resource_file.caption == _(MAIN):
            resource_file.kind = main_kind
    page.files = existing_files + new_files
    if staged.get("gallery"):
        replaced.image_ids += [item.image_id for item in page.gallery_images.all()]
        page.gallery_images = [
            ResourceGalleryImage(image=_image(item, title=_("图集：%(t)s") % {"t": title}, user=user), caption="")
            for item in staged["gallery"]
        ]
    return replaced


def _revision_files(content: dict) -> tuple[set, set]:
    documents = {f.get("document") for f in content.get("files") or []}
    images = {content.get("cover_image")} | {g.get("image") for g in content.get("gallery_images") or []}
    return documents - {None}, images - {None}


def replaced_files_discard(*, page_id: int, replaced: Replaced) -> None:
    """Delete the files a save took off a draft, after the commit. Kept: files of a revision that
    went through review (the record of what reviewers saw in an earlier round) and files another
    page still uses. The draft's superseded revisions that name a deleted file go with it."""
    if not (replaced.document_ids or replaced.image_ids):
        return
    page = ResourcePage.objects.filter(pk=page_id).first()
    if page is None:
        return
    revisions = Revision.page_revisions.filter(object_id=str(page_id)).order_by("-created_at", "-id")
    reviewed_docs, reviewed_images = set(), set()
    for revision in revisions.filter(task_states__isnull=False).distinct():
        docs, images = _revision_files(revision.content)
        reviewed_docs |= docs
        reviewed_images |= images
    documents = (
        get_document_model()
        .objects.filter(pk__in=replaced.document_ids)
        .exclude(pk__in=reviewed_docs)
        .exclude(pk__in=ResourceFile.objects.values("document_id"))
    )
    images = (
        get_image_model()
        .objects.filter(pk__in=replaced.image_ids)
        .exclude(pk__in=reviewed_images)
        .exclude(pk__in=ResourcePage.objects.filter(cover_image__isnull=False).values("cover_image_id"))
        .exclude(pk__in=ResourceGalleryImage.objects.values("image_id"))
    )
    doc_ids, image_ids = set(documents.values_list("pk", flat=True)), set(images.values_list("pk", flat=True))
    if not (doc_ids or image_ids):
        return
    with transaction.atomic():
        latest_id = page.latest_revision_id
        for revision in revisions.filter(task_states__isnull=True).exclude(pk=latest_id):
            docs, imgs = _revision_files(revision.content)
            if docs & doc_ids or imgs & image_ids:
                revision.delete()
        for obj in list(documents) + list(images):
            obj.delete()  # Wagtail deletes the stored file once this commits


# --- the technical checks ----------------------------------------------------------------------
@dataclass
class CurrentFile:
    name: str
    role: str
    document: object = None
    image: object = None


def current_files(page) -> list[CurrentFile]:
    code = page.resource_type.code
    items = []
    for resource_file in page.files.all():
        document = resource_file.document
        role = tech.role_of("main_file" if resource_file.caption == _(MAIN) else "extra_file", code)
        items.append(CurrentFile(document.filename, role, document=document))
    if page.cover_image_id:
        items.append(CurrentFile(page.cover_image.filename, "cover", image=page.cover_image))
    for item in page.gallery_images.all():
        items.append(CurrentFile(item.image.filename, "image", image=item.image))
    return items


def file_checks_ensure(page, *, standard) -> list[tuple[CurrentFile, FileCheck]]:
    """The check of every current file of `page` for this standard and resource type, computed from
    its stored measurement where there is none yet; files not measured yet are 待检测."""
    code = page.resource_type.code
    rows = []
    for item in current_files(page):
        intake = intake_of(document=item.document, image=item.image)
        rows.append(
            (item, check_row(intake, name=item.name, role=item.role, resource_type_code=code, standard=standard))
        )
    return rows


def pending_checks_enqueue(intake_ids) -> None:
    """Measure pending files in the background once this transaction commits."""
    ids = sorted(set(intake_ids))
    if not ids:
        return
    from ..tasks import file_intakes_measure

    FileIntake.objects.filter(pk__in=ids).update(queued_at=timezone.now())
    transaction.on_commit(lambda: file_intakes_measure.enqueue(intake_ids=ids))


def files_checks_queue(page, *, standard) -> None:
    """Outside a transaction that may roll back: make sure every current file of `page` has its
    intake and check rows, and queue the measurement of those still 待检测."""
    rows = file_checks_ensure(page, standard=standard)
    pending_checks_enqueue([row.intake_id for _item, row in rows if row.state == FileCheck.State.PENDING])


def checks_finished_announce(rows) -> None:
    """Tell the submission state machine, after the commit, which files now have results."""
    done = [(item, row) for item, row in rows if row.state != FileCheck.State.PENDING]
    document_ids = sorted({item.document.pk for item, _row in done if item.document is not None})
    image_ids = sorted({item.image.pk for item, _row in done if item.image is not None})
    if document_ids or image_ids:
        transaction.on_commit(
            lambda: file_checks_finished.send(sender=FileCheck, document_ids=document_ids, image_ids=image_ids)
        )


def duplicate_messages(submission, page) -> list[str]:
    """Files of this submission whose SHA-256 equals a file already submitted or published."""
    messages = []
    for resource_file in page.files.all():
        fingerprint = document_fingerprint(resource_file.document)
        # Documents uploaded outside review (imports, the admin) are fingerprinted on demand,
        # only when their size matches: hashing is then rare.
        unhashed = (
            get_document_model()
            .objects.filter(fingerprint__isnull=True)
            .filter(Q(file_size=fingerprint.size) | Q(file_size__isnull=True))
        )
        for candidate in unhashed.exclude(pk=resource_file.document_id):
            document_fingerprint(candidate)
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


@dataclass
class FilesVerdict:
    """What the files of a draft say about submitting it (the submit guard reads only this)."""

    ready: bool  # every current file checked, no hard check failed, no duplicate
    pending: list[str] = field(default_factory=list)  # files whose checks have not run yet (待检测)
    problems: list[str] = field(default_factory=list)  # teacher-facing: hard failures and duplicates
    results: list[dict] = field(default_factory=list)  # every check result, for display


def _verdict_of(rows) -> FilesVerdict:
    pending, problems, results = [], [], []
    for item, row in rows:
        results += row.results
        if row.state == FileCheck.State.PENDING:
            pending.append(item.name)
        problems += [c["message"] for c in row.results if c["level"] == tech.HARD and not c["passed"]]
    return FilesVerdict(ready=not pending and not problems, pending=pending, problems=problems, results=results)


def files_verdict(submission, page, *, standard) -> FilesVerdict:
    """Whether `page`'s current files may enter review: each file's stored check for this standard
    and resource type (bound to its SHA-256), and the duplicate guard. Files still 待检测 are
    listed in `pending` and their measurement is queued again (the worker retries it)."""
    rows = file_checks_ensure(page, standard=standard)
    verdict = _verdict_of(rows)
    verdict.problems = duplicate_messages(submission, page) + verdict.problems
    verdict.ready = verdict.ready and not verdict.problems
    retry_before = timezone.now() - datetime.timedelta(seconds=RETRY_PENDING_AFTER_SECONDS)
    stale = FileIntake.objects.filter(
        pk__in=[row.intake_id for _item, row in rows if row.state == FileCheck.State.PENDING],
        status=FileIntake.Status.PENDING,
    ).filter(Q(queued_at__isnull=True) | Q(queued_at__lt=retry_before))
    pending_checks_enqueue(list(stale.values_list("pk", flat=True)))
    return verdict


def files_report(page, *, standard) -> FilesVerdict:
    """The stored checks of `page`'s current files, for display (no duplicate guard, nothing queued)."""
    return _verdict_of(file_checks_ensure(page, standard=standard))
