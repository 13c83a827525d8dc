"""Writes of the interop app: OAI-PMH record state and COUNTER API keys. (The monthly push has its
own module, `push.py`.)"""

import hashlib
import secrets

from django.db import transaction
from django.utils import timezone

from catalogue.selectors import live_resources

from .models import OaiRecord, SushiConsumer


def resource_set_specs(resource) -> str:
    """The OAI sets of a public resource, space-delimited with a space at either end so that a set
    filter is a plain substring match (" theme:red-culture ")."""
    specs = [f"theme:{resource.theme.slug}"]
    if resource.topic_id:
        specs.append(f"topic:{resource.topic.slug}")
    specs.append(f"year:{resource.year}")
    return " " + " ".join(specs) + " "


@transaction.atomic
def oai_records_sync(*, resource_ids=None, touched: bool = False) -> dict:
    """Bring the OAI-PMH record state in line with what the public may see (catalogue's
    `live_resources`, the one definition of visibility).

    `resource_ids` limits the work to those resources (None = every resource, a full reconcile).
    `touched` says their content or address changed (publish, move): public ones get a new
    datestamp. A resource that was never public gets no row at all, so a draft never appears, not
    even as an identifier; one that was public and no longer is becomes a tombstone."""
    now = timezone.now()
    live = live_resources().select_related(None).select_related("theme", "topic").prefetch_related(None)
    records = OaiRecord.objects.all()
    if resource_ids is not None:
        ids = sorted({int(i) for i in resource_ids})
        if not ids:
            return {"created": 0, "updated": 0, "deleted": 0}
        live = live.filter(pk__in=ids)
        records = records.filter(resource_id__in=ids)
    public = {r.pk: r for r in live.only("pk", "year", "last_published_at", "theme__slug", "topic__slug")}
    existing = {r.resource_id: r for r in records.select_for_update()}
    created, updated, deleted = [], [], []
    for pk, resource in public.items():
        sets = resource_set_specs(resource)
        record = existing.get(pk)
        if record is None:
            stamp = now if touched else (resource.last_published_at or now)
            created.append(OaiRecord(resource_id=pk, datestamp=stamp, sets=sets))
        elif record.deleted or touched or record.sets != sets:
            record.deleted, record.sets, record.datestamp = False, sets, now
            updated.append(record)
    for pk, record in existing.items():
        if pk not in public and not record.deleted:
            record.deleted, record.datestamp = True, now
            deleted.append(record)
    OaiRecord.objects.bulk_create(created, ignore_conflicts=True, batch_size=1000)
    OaiRecord.objects.bulk_update(updated + deleted, ["deleted", "sets", "datestamp"], batch_size=1000)
    return {"created": len(created), "updated": len(updated), "deleted": len(deleted)}


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
