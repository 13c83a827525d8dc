"""Reads of the interop app: OAI-PMH records and their metadata. (COUNTER figures: `sushi.py`.)"""

import datetime
import mimetypes
import re
from urllib.parse import quote

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from oaipmh import common

from catalogue.models import CampaignPage, ResourcePage, Theme, Topic
from catalogue.selectors import live_resources

from .models import OaiRecord

URL_SAFE = "!$&'()*+,;=/~:@"  # what Django's reverse() leaves unquoted in a path

# DCMI Type vocabulary for our resource types (dc:type also carries our own type name).
DCMI_TYPES = {
    "video": "MovingImage",
    "audio": "Sound",
    "gallery": "StillImage",
    "link": "InteractiveResource",
    "courseware": "Text",
    "design": "Text",
    "worksheet": "Text",
}


def oai_records(*, set_spec=None, start=None, end=None, after=None, checked=True):
    """Records in harvest order (datestamp, then resource id), public ones only while they are
    public, tombstones always. `end` is inclusive to the second; `after` is the keyset of the last
    record already sent. `checked=False` skips the visibility join (for paging through the table;
    the caller then checks the rows of its page with `oai_not_public`)."""
    rows = OaiRecord.objects.all()
    if checked:
        rows = rows.filter(Q(deleted=True) | Q(resource_id__in=live_resources().values("pk")))
    if set_spec:
        rows = rows.filter(sets__contains=f" {set_spec} " if ":" in set_spec else f" {set_spec}:")
    if start is not None:
        rows = rows.filter(datestamp__gte=start)
    if end is not None:
        rows = rows.filter(datestamp__lt=end + datetime.timedelta(seconds=1))
    if after is not None:
        stamp, resource_id = after
        rows = rows.filter(Q(datestamp__gt=stamp) | Q(datestamp=stamp, resource_id__gt=resource_id))
    return rows.order_by("datestamp", "resource_id")


def oai_not_public(records) -> set[int]:
    """Resource ids of records that claim to be public but are not (any more): one small query
    per page, instead of joining the visibility rule into every page of the table."""
    claimed = [r.resource_id for r in records if not r.deleted]
    if not claimed:
        return set()
    public = set(live_resources().filter(pk__in=claimed).values_list("pk", flat=True))
    return set(claimed) - public


def oai_record(resource_id: int) -> OaiRecord | None:
    return oai_records().filter(resource_id=resource_id).first()


def oai_earliest_datestamp() -> datetime.datetime:
    first = OaiRecord.objects.order_by("datestamp").values_list("datestamp", flat=True).first()
    return first or timezone.now()


def oai_sets() -> list[tuple[str, str]]:
    """(setSpec, setName): three groupings, themes, topics (under their theme's name) and years."""
    sets = [("theme", "主题"), ("topic", "专题"), ("year", "年度")]
    sets += [(f"theme:{t.slug}", t.name) for t in Theme.objects.all()]
    sets += [(f"topic:{t.slug}", f"{t.theme.name} · {t.name}") for t in Topic.objects.select_related("theme")]
    years = set(live_resources().values_list("year", flat=True).distinct())
    years |= set(CampaignPage.objects.values_list("year", flat=True))
    for sets_text in OaiRecord.objects.filter(deleted=True).values_list("sets", flat=True):
        years |= {int(s[5:]) for s in sets_text.split() if s.startswith("year:") and s[5:].isdigit()}
    sets += [(f"year:{y}", f"{y}年度") for y in sorted(years)]
    return sets


def _split(names: str) -> list[str]:
    return [n for n in re.split(r"[、，,;；\s]+", names or "") if n]


def oai_metadata(resource_ids, *, request) -> dict[int, common.Metadata]:
    """Metadata of public resources for both formats, keyed by resource id (absent if not public)."""
    from .oai import plain_text

    base = request.build_absolute_uri("/").rstrip("/")
    resources = live_resources().filter(pk__in=list(resource_ids)).prefetch_related("grades", "files__document")
    # Once per page, not per record: translated labels and URL reversing cost ~0.5 ms each.
    licences = {value: str(label) for value, label in ResourcePage.Licence.choices}
    sources = {value: str(label) for value, label in ResourcePage.Source.choices}
    file_url = base + reverse("catalogue:resource_file", args=[987654321, "FILENAME987"])
    cover_url = base + reverse("interop:cover", args=[987654321])
    schema_url = base + reverse("interop:oai_schema")
    result = {}
    for r in resources:
        path = r.get_url(request=request) or ""
        url = path if path.startswith("http") else base + path
        files = []
        for f in r.files.all():
            name = f.document.filename
            href = file_url.replace("987654321", str(f.pk)).replace("FILENAME987", quote(name, safe=URL_SAFE))
            files.append(
                {
                    "kind": f.kind,
                    "name": name,
                    "caption": f.caption or f.document.title,
                    "mime": mimetypes.guess_type(name)[0] or "application/octet-stream",
                    "size": f.document.file_size,
                    "href": href,
                    "download": href + "?download=1",
                }
            )
        cover = cover_url.replace("987654321", str(r.pk)) if r.cover_image_id else None
        subjects = [s.name for s in r.subjects.all()]
        authors, co_authors = _split(r.authors), _split(r.co_authors)
        published = timezone.localtime(r.first_published_at).date().isoformat() if r.first_published_at else None
        description = plain_text(r.description)
        dc = {
            "title": [r.title],
            "creator": authors,
            "contributor": co_authors,
            "subject": [r.theme.name] + ([r.topic.name] if r.topic_id else []) + subjects,
            "description": [description] if description else [],
            "publisher": ["驻马店市教育局"],
            "date": [published] if published else [str(r.year)],
            "type": [DCMI_TYPES.get(r.resource_type.code, "Text"), r.resource_type.name],
            "format": sorted({f["mime"] for f in files}),
            "identifier": [url],
            "language": ["zh"],
            "relation": [r.external_url] if r.external_url else [],
            "coverage": [
                c for c in (r.region.name if r.region_id else None, r.topic.place if r.topic_id else None) if c
            ],
            "rights": [licences.get(r.licence, r.licence)],
        }
        zmd = {
            "schema_url": schema_url,
            "title": r.title,
            "url": url,
            "description": description,
            "theme": {"name": r.theme.name, "code": r.theme.slug},
            "topic": {"name": r.topic.name, "code": r.topic.slug, "place": r.topic.place} if r.topic_id else None,
            "subjects": subjects,
            "stage": {"name": r.stage.name, "code": r.stage.code},
            "grades": [g.name for g in r.grades.all()],
            "type": {"name": r.resource_type.name, "code": r.resource_type.code},
            "county": {"name": r.region.name, "code": r.region.code} if r.region_id else None,
            "school": r.school.name if r.school_id else None,
            "authors": authors,
            "co_authors": co_authors,
            "year": r.year,
            "source": {"name": sources.get(r.source, r.source), "code": r.source},
            "award": r.award,
            "score": r.final_score,
            "licence": {"name": licences.get(r.licence, r.licence), "code": r.licence},
            "published": published,
            "cover": cover,
            "external_url": r.external_url,
            "files": files,
        }
        result[r.pk] = common.Metadata(None, {**dc, "zmd": zmd})
    return result
