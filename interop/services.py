"""Writes of the interop app: OAI-PMH record state and COUNTER API keys. (The monthly push has its
own module, `push.py`.)"""

import hashlib
import secrets

from django.db import transaction
from django.utils import timezone

from catalogue.selectors import live_resources

from .models import OaiRecord, SushiConsumer


def set_specs(*, theme_slug: str, topic_slug: str | None, year: int) -> str:
    """The OAI sets of a public resource, space-delimited with a space at either end so that a set
    filter is a plain substring match (" theme:red-culture ")."""
    specs = [f"theme:{theme_slug}"] + ([f"topic:{topic_slug}"] if topic_slug else []) + [f"year:{year}"]
    return " " + " ".join(specs) + " "


@transaction.atomic
def oai_records_sync(*, resource_ids=None, touched: bool = False) -> dict:
    """Bring the OAI-PMH record state in line with what the public may see (catalogue's
    `live_resources`, the one definition of visibility).

    `resource_ids` limits the work to those resources (None = every resource, a full reconcile).
    `touched` says their content or address changed (publish, move): public ones get a new
    datestamp. A resource that was never public gets no row at all, so a draft never appears, not
    even as an identifier; one that was public and no longer is becomes a tombstone."""
    if resource_ids is not None:
        ids = sorted({int(i) for i in resource_ids})
        if not ids:  # e.g. a theme or topic page published with no resource below it yet
            return {"created": 0, "updated": 0, "deleted": 0}
    now = timezone.now()
    live = live_resources().select_related(None).prefetch_related(None).order_by()
    records = OaiRecord.objects.order_by()
    if resource_ids is not None:
        live = live.filter(pk__in=ids)
        records = records.filter(resource_id__in=ids)
    public = {
        pk: (set_specs(theme_slug=theme, topic_slug=topic, year=year), published)
        for pk, theme, topic, year, published in live.values_list(
            "pk", "theme__slug", "topic__slug", "year", "last_published_at"
        )
    }
    # Plain tuples for the comparison (a full reconcile of 10k records stays well under a second);
    # model rows only for what changes.
    existing = {pk: (deleted, sets) for pk, deleted, sets in records.values_list("resource_id", "deleted", "sets")}
    created, changed, gone = [], {}, []
    for pk, (sets, published) in public.items():
        if pk not in existing:
            created.append(OaiRecord(resource_id=pk, datestamp=now if touched else (published or now), sets=sets))
        elif existing[pk][0] or touched or existing[pk][1] != sets:
            changed[pk] = sets
    gone = [pk for pk, (deleted, _sets) in existing.items() if pk not in public and not deleted]
    OaiRecord.objects.bulk_create(created, ignore_conflicts=True, batch_size=1000)
    updates = []
    for record in OaiRecord.objects.select_for_update().filter(resource_id__in=list(changed) + gone):
        record.deleted = record.resource_id in gone
        record.sets = changed.get(record.resource_id, record.sets)
        record.datestamp = now
        updates.append(record)
    OaiRecord.objects.bulk_update(updates, ["deleted", "sets", "datestamp"], batch_size=1000)
    return {"created": len(created), "updated": len(changed), "deleted": len(gone)}


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def sushi_consumer_key_issue(*, consumer: SushiConsumer) -> str:
    """Give the consumer a new API key and return it: the only time the key exists in clear.
    Keys are 256 random bits, so a plain SHA-256 digest is enough to store (nobody can guess one);
    the previous key stops working at once."""
    key = secrets.token_urlsafe(32)
    consumer.key_prefix = key[:8]
    consumer.key_digest = _digest(key)
    consumer.save(update_fields=["key_prefix", "key_digest"])
    return key


def sushi_consumer_for_key(*, key: str) -> SushiConsumer | None:
    if not key:
        return None
    consumer = SushiConsumer.objects.filter(key_digest=_digest(key), is_active=True).first()
    if consumer is not None:
        SushiConsumer.objects.filter(pk=consumer.pk).update(last_used_at=timezone.now())
    return consumer
