"""How a submission's files are named to each role. Experts review double-blind: the names a
teacher gave the files (often the author's or the school's) never reach them; they see and download
neutral names such as 作品12-主文件.mp4, and images are served through the desk, not by their
original media URL (which carries the uploaded file name)."""

import os
import re

from django.utils.translation import gettext as _


def _extension(filename: str) -> str:
    return os.path.splitext(filename or "")[1].lower()


def neutral_name(submission, label: str, filename: str) -> str:
    return _("作品%(n)d-%(l)s") % {"n": submission.pk, "l": label} + _extension(filename)


def _file_label(resource_file, position: int) -> str:
    return resource_file.caption or _("文件%(n)d") % {"n": position}


def desk_files(submission, page, access: str) -> list[dict]:
    """The page's files as the review desk shows them: kind, document, the name shown."""
    rows = []
    for position, resource_file in enumerate(page.files.all(), start=1):
        document = resource_file.document
        rows.append(
            {
                "kind": resource_file.kind,
                "caption": resource_file.caption,
                "document_id": resource_file.document_id,
                "extension": document.file_extension,
                "name": neutral_name(submission, _file_label(resource_file, position), document.filename)
                if access == "expert"
                else document.filename,
            }
        )
    return rows


def desk_images(submission, page, access: str) -> list[dict]:
    """The cover and gallery images: (id, role, name shown)."""
    rows = []
    if page.cover_image_id:
        rows.append({"image": page.cover_image, "role": "cover", "label": _("封面")})
    for position, item in enumerate(page.gallery_images.all(), start=1):
        rows.append({"image": item.image, "role": "gallery", "label": _("图集%(n)d") % {"n": position}})
    for row in rows:
        row["name"] = (
            neutral_name(submission, row["label"], row["image"].filename)
            if access == "expert"
            else row["image"].filename
        )
    return rows


def file_download_name(submission, page, document, access: str) -> str:
    for row in desk_files(submission, page, access):
        if row["document_id"] == document.pk:
            return row["name"]
    return document.filename if access != "expert" else neutral_name(submission, _("文件"), document.filename)


def image_download_name(submission, page, image, access: str) -> str:
    for row in desk_images(submission, page, access):
        if row["image"].pk == image.pk:
            return row["name"]
    return neutral_name(submission, _("图片"), image.filename)


QUOTED_FILE = re.compile(r"《[^》]*\.[A-Za-z0-9]{1,8}》")


def redact_checks(submission, page, checks: list[dict]) -> list[dict]:
    """The stored check results with every original file name replaced by its neutral name."""
    names = {row["name_original"]: row["name"] for row in _all_names(submission, page)}
    redacted = []
    for check in checks:
        check = dict(check)
        original = check.get("file", "")
        shown = names.get(original) or neutral_name(submission, _("文件"), original)
        message = str(check.get("message", ""))
        for name, neutral in names.items():
            message = message.replace(name, neutral)
        check["file"], check["message"] = shown, QUOTED_FILE.sub(f"《{shown}》", message)
        redacted.append(check)
    return redacted


def _all_names(submission, page):
    originals = desk_files(submission, page, "admin") + desk_images(submission, page, "admin")
    neutrals = desk_files(submission, page, "expert") + desk_images(submission, page, "expert")
    return [{"name_original": a["name"], "name": b["name"]} for a, b in zip(originals, neutrals, strict=True)]
