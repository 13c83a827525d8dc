"""Names people see: the label of a resource's file, the name a download is saved under, and the
readable address (slug) a resource gets when it is published.

Labels: review stores a submission's files with the reviewers' role words 主文件 / 配套材料 as
captions (and uses them to tell the files apart); readers see what the file is for that resource
type instead (作品视频, 课件, 教学设计, 学习任务单, 配套材料 …). Captions that are already plain
labels (imports, the admin, the demo data) are shown as they are.

Slugs: readable URLs are pinyin syllables joined by hyphens (嵖岈山地质探秘 → cha-ya-shan-di-zhi-tan-mi):
ASCII, so a copied or shared address stays readable instead of turning into %E5%B5%96…, and
unambiguous to read aloud (xi-an, not xian).
"""

import os
import re
import unicodedata

from django.utils.translation import gettext as _

MAIN_ROLE = "主文件"
EXTRA_ROLE = "配套材料"

# The label of a resource's main file, by resource type code (catalogue migration 0002).
MAIN_LABELS = {
    "video": "作品视频",
    "audio": "作品音频",
    "courseware": "课件",
    "design": "教学设计",
    "worksheet": "学习任务单",
    "gallery": "图集说明",
    "link": "配套材料",
}
KIND_LABELS = {"video": "视频", "audio": "音频", "document": "配套材料"}

SLUG_MAX = 60
# Characters no file system accepts in a name (Windows is the strictest), and control characters.
UNSAFE_FILENAME = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]+')
# Slugs that review gives drafts (s2026-75bdb814add5): replaced by a readable one at publication.
DRAFT_SLUG = re.compile(r"^s\d{4}-[0-9a-f]{12}$")


MAIN_KINDS = {
    "video": "video",
    "audio": "audio",
    "courseware": "document",
    "design": "document",
    "worksheet": "document",
}


def file_label(resource_file, resource_type_code: str, *, first_of_kind: bool = False) -> str:
    """What a reader calls this file on this resource: 作品视频, 课件, 教学设计, 配套材料 …

    A file without a caption that is the first of the resource type's main kind (the first
    document of a 教学设计) is the work itself and gets the type's label."""
    caption = (resource_file.caption or "").strip()
    if caption == MAIN_ROLE or caption == _(MAIN_ROLE):
        return MAIN_LABELS.get(resource_type_code) or KIND_LABELS.get(resource_file.kind, EXTRA_ROLE)
    if caption == EXTRA_ROLE or caption == _(EXTRA_ROLE):
        return EXTRA_ROLE
    if caption:
        return caption
    if first_of_kind and MAIN_KINDS.get(resource_type_code) == resource_file.kind:
        return MAIN_LABELS[resource_type_code]
    return KIND_LABELS.get(resource_file.kind, EXTRA_ROLE)


def safe_filename(text: str, max_length: int = 80) -> str:
    """`text` as a file name every system accepts (no / \\ : * ? " < > |), trimmed."""
    text = unicodedata.normalize("NFC", text or "")
    text = UNSAFE_FILENAME.sub("-", text)
    text = re.sub(r"\s+", " ", text).strip(" .-")
    return text[:max_length].strip(" .-")


def file_extension(name: str) -> str:
    return os.path.splitext(name or "")[1].lower()


def download_name(title: str, label: str, original_name: str) -> str:
    """The name a download is saved under: 嵖岈山地质探秘-教学设计.pdf."""
    stem = "-".join(part for part in (safe_filename(title), safe_filename(label, 20)) if part) or "resource"
    return stem + file_extension(original_name)


def ascii_download_name(title: str, label: str, original_name: str) -> str:
    """The same name in ASCII (pinyin), for the `filename=` fallback of Content-Disposition."""
    stem = "-".join(part for part in (pinyin_slug(title, max_length=50), pinyin_slug(label, max_length=20)) if part)
    return (stem or "resource") + file_extension(original_name)


def pinyin_slug(text: str, max_length: int = SLUG_MAX) -> str:
    """Pinyin syllables and ASCII words of `text`, lower case, joined by hyphens."""
    from pypinyin import Style, lazy_pinyin

    pieces = []
    for piece in lazy_pinyin(text or "", style=Style.NORMAL, errors=lambda chars: list(chars)):
        piece = unicodedata.normalize("NFKD", piece).encode("ascii", "ignore").decode().lower()
        pieces += re.findall(r"[a-z0-9]+", piece)
    slug = ""
    for piece in pieces:
        candidate = f"{slug}-{piece}" if slug else piece
        if len(candidate) > max_length:
            break
        slug = candidate
    return slug


def readable_slug(title: str, taken: set[str], fallback: str) -> str:
    """A pinyin slug for `title` that is not in `taken` (the slugs of the page's siblings)."""
    base = pinyin_slug(title) or fallback
    slug, n = base, 2
    while slug in taken:
        slug = f"{base}-{n}"
        n += 1
    return slug
