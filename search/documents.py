"""What gets indexed for a resource: one engine-neutral description, fed to every engine.

Each field is a set of analysed tokens with a weight (title over topic over description); the
embedded engine stores the highest weight per token, Elasticsearch stores each field and scores
a token by the highest weight of the fields it matches, so both give a document the same score.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from catalogue.models import ResourcePage

from . import analysis
from .models import (
    WEIGHT_BODY,
    WEIGHT_META,
    WEIGHT_META_PINYIN,
    WEIGHT_TITLE,
    WEIGHT_TITLE_BIGRAM,
    WEIGHT_TITLE_PINYIN,
    WEIGHT_TOPIC,
    WEIGHT_TOPIC_BIGRAM,
    WEIGHT_TOPIC_PINYIN,
)
from .vocabulary import ensure_loaded

FIELD_WEIGHTS = {
    "title": WEIGHT_TITLE,
    "topic": WEIGHT_TOPIC,
    "title_pinyin": WEIGHT_TITLE_PINYIN,
    "meta": WEIGHT_META,
    "topic_pinyin": WEIGHT_TOPIC_PINYIN,
    "title_bigram": WEIGHT_TITLE_BIGRAM,
    "body": WEIGHT_BODY,
    "topic_bigram": WEIGHT_TOPIC_BIGRAM,
    "meta_pinyin": WEIGHT_META_PINYIN,
}
DESCRIPTION_CHARS = 2000


@dataclass
class IndexedResource:
    id: int
    title: str
    url: str
    topic_name: str
    description: str
    theme_id: int | None
    topic_id: int | None
    stage_id: int | None
    resource_type_id: int | None
    region_id: int | None
    year: int | None
    award: str
    published_at: datetime | None
    view_count: int
    subject_ids: list[int] = field(default_factory=list)
    # Names for engines that facet on names (Elasticsearch).
    names: dict[str, object] = field(default_factory=dict)
    fields: dict[str, set[str]] = field(default_factory=dict)

    def postings(self) -> dict[str, int]:
        """{term: highest weight of the fields it occurs in}."""
        out: dict[str, int] = {}
        for name, tokens in self.fields.items():
            weight = FIELD_WEIGHTS[name]
            for token in tokens:
                token = token[:64]
                if out.get(token, 0) < weight:
                    out[token] = weight
        return out


def analysed_fields(*, title: str, topic: str, meta: list[str], body: str) -> dict[str, set[str]]:
    return {
        "title": set(analysis.index_tokens(title)),
        "topic": set(analysis.index_tokens(topic)),
        "title_pinyin": analysis.pinyin_tokens(title),
        "meta": set().union(*(analysis.index_tokens(m) for m in meta if m)) if meta else set(),
        "topic_pinyin": analysis.pinyin_tokens(topic),
        "title_bigram": analysis.bigrams(title),
        "body": set(analysis.index_tokens(body)),
        "topic_bigram": analysis.bigrams(topic),
        # Places, schools and people by pinyin too ("zhugou" finds 确山县竹沟镇中心小学's work).
        "meta_pinyin": set().union(*(analysis.pinyin_tokens(m) for m in meta if m)) if meta else set(),
    }


def build(resource: ResourcePage) -> IndexedResource:
    ensure_loaded()
    description = analysis.strip_html(resource.description)
    subjects = list(resource.subjects.all())
    topic_name = resource.topic.name if resource.topic_id else ""
    meta = [
        resource.theme.name,
        resource.region.name if resource.region_id else "",
        resource.school.name if resource.school_id else "",
        resource.authors,
        resource.co_authors,
        resource.stage.name,
        resource.resource_type.name,
        " ".join(s.name for s in subjects),
    ]
    return IndexedResource(
        id=resource.pk,
        title=resource.title,
        url=resource.url or "",
        topic_name=topic_name,
        description=description[:DESCRIPTION_CHARS],
        theme_id=resource.theme_id,
        topic_id=resource.topic_id,
        stage_id=resource.stage_id,
        resource_type_id=resource.resource_type_id,
        region_id=resource.region_id,
        year=resource.year,
        award=resource.award or "",
        published_at=resource.first_published_at,
        view_count=resource.view_count,
        subject_ids=sorted(s.pk for s in subjects),
        names={
            "theme": resource.theme.name,
            "topic": topic_name,
            "subject": sorted(s.name for s in subjects),
            "stage": resource.stage.name,
            "type": resource.resource_type.name,
            "region": resource.region.name if resource.region_id else "",
            "year": resource.year,
            "award": resource.award or "",
        },
        fields=analysed_fields(title=resource.title, topic=topic_name, meta=meta, body=description),
    )
