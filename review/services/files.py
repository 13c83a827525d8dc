"""A submission's files: storing uploads, fingerprints for the duplicate guard, technical checks."""

import hashlib
from dataclasses import dataclass, field

from django.core.files.base import File
from django.db.models import Q
from django.utils.translation import gettext as _
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Collection

from catalogue.models import ResourceFile, ResourceGalleryImage, ResourcePage

from .. import checks as tech
from ..models import (
    DocumentFingerprint,
    Stage,
    Submission,
)

UPLOAD_COLLECTION = "征集申报"


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


def store_document(upload, *, title, user):
    Document = get_document_model()
    document = Document(title=title, collection=upload_collection(), uploaded_by_user=user)
    document.file.save(upload.name, File(upload), save=False)
    document.save()
    document_fingerprint(document)
    return document


def store_image(upload, *, title, user):
    Image = get_image_model()
    image = Image(title=title, collection=upload_collection(), uploaded_by_user=user)
    image.file.save(upload.name, File(upload), save=False)
    image.save()
    return image


FILE_KIND_FOR_TYPE = {"video": ResourceFile.Kind.VIDEO, "audio": ResourceFile.Kind.AUDIO}


def run_checks(page, standard) -> list[dict]:
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


def attach_uploads(page, files, *, title: str, user) -> None:
    """Store the uploads of one save of the teacher's form and attach them to the draft `page` (in
    memory; the caller saves the page and its revision). A new main file or supporting file
    replaces the one of the same role; a new gallery replaces the old one."""
    if files.get("cover"):
        page.cover_image = store_image(files["cover"], title=_("封面：%(t)s") % {"t": title}, user=user)
    existing_files = list(page.files.all())
    new_files = []
    if files.get("main_file"):
        kind = FILE_KIND_FOR_TYPE.get(page.resource_type.code, ResourceFile.Kind.DOCUMENT)
        new_files.append(
            ResourceFile(
                document=store_document(files["main_file"], title=title, user=user), kind=kind, caption=_("主文件")
            )
        )
        existing_files = [f for f in existing_files if f.caption != _("主文件")]
    if files.get("extra_file"):
        new_files.append(
            ResourceFile(
                document=store_document(files["extra_file"], title=_("配套材料：%(t)s") % {"t": title}, user=user),
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
                image=store_image(upload, title=_("图集：%(t)s") % {"t": title}, user=user), caption=""
            )
            for upload in gallery
        ]


@dataclass
class FilesVerdict:
    """What the files of a draft say about submitting it (the submit guard reads only this)."""

    ready: bool  # every current file checked, no hard check failed, no duplicate
    pending: list[str] = field(default_factory=list)  # files whose checks have not run yet (待检测)
    problems: list[str] = field(default_factory=list)  # teacher-facing: hard failures and duplicates
    results: list[dict] = field(default_factory=list)  # every check result, for display


def files_verdict(submission, page, *, standard) -> FilesVerdict:
    """Whether `page`'s current files may enter review: duplicates and hard technical checks."""
    problems = duplicate_messages(submission, page)
    results = run_checks(page, standard)
    problems += [c["message"] for c in results if c["level"] == tech.HARD and not c["passed"]]
    return FilesVerdict(ready=not problems, problems=problems, results=results)
