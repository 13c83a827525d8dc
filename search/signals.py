"""Receivers: indexing follows Wagtail's publish lifecycle; vocabulary edits reach every process.

Receivers only enqueue tasks after the transaction commits; the work happens in `tasks`.
"""

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from wagtail.models import Page, PageViewRestriction
from wagtail.signals import page_published, page_unpublished, post_page_move

from catalogue.models import Region, ResourcePage, ResourceType, School, Stage, Subject, Theme, Topic

from .models import Synonym
from .services import resource_ids_under
from .vocabulary import lexicon_version_bump

VOCABULARY_MODELS = (Theme, Topic, Region, School, Subject, Stage, ResourceType, Synonym)


def enqueue_index(resource_ids) -> None:
    ids = sorted({int(i) for i in resource_ids})
    if not ids:
        return
    from .tasks import index_resources

    transaction.on_commit(lambda: index_resources.enqueue(ids))


def on_published(sender, instance, **kwargs):
    if isinstance(instance, ResourcePage):
        enqueue_index([instance.pk])


def on_unpublished(sender, instance, **kwargs):
    if isinstance(instance, ResourcePage):
        enqueue_index([instance.pk])
    else:
        enqueue_index(resource_ids_under(instance))


def on_moved(sender, instance, **kwargs):
    # The URL of the page and of every resource below it changed.
    enqueue_index(resource_ids_under(instance))


def on_resource_deleted(sender, instance, **kwargs):
    enqueue_index([instance.pk])


def on_restriction_changed(sender, instance, **kwargs):
    page = Page.objects.filter(pk=instance.page_id).first()
    if page is not None:
        enqueue_index(resource_ids_under(page))


def on_vocabulary_changed(sender, instance, **kwargs):
    """New names go into the dictionary; the index is rebuilt so documents are segmented anew."""
    lexicon_version_bump()
    from .tasks import rebuild_index

    transaction.on_commit(rebuild_index.enqueue)


def on_counts_changed(sender, resource_ids, **kwargs):
    """The indicators app rewrote visit counters: refresh the popularity sort for those resources."""
    from .services import search_popularity_refresh

    search_popularity_refresh(resource_ids=resource_ids)


def connect() -> None:
    from catalogue.signals import resource_counts_changed

    resource_counts_changed.connect(on_counts_changed, dispatch_uid="search.on_counts_changed")
    page_published.connect(on_published, dispatch_uid="search.on_published")
    page_unpublished.connect(on_unpublished, dispatch_uid="search.on_unpublished")
    post_page_move.connect(on_moved, dispatch_uid="search.on_moved")
    post_delete.connect(on_resource_deleted, sender=ResourcePage, dispatch_uid="search.on_resource_deleted")
    post_save.connect(on_restriction_changed, sender=PageViewRestriction, dispatch_uid="search.restriction_saved")
    post_delete.connect(on_restriction_changed, sender=PageViewRestriction, dispatch_uid="search.restriction_deleted")
    for model in VOCABULARY_MODELS:
        uid = f"search.vocabulary.{model.__name__}"
        post_save.connect(on_vocabulary_changed, sender=model, dispatch_uid=uid + ".save")
        post_delete.connect(on_vocabulary_changed, sender=model, dispatch_uid=uid + ".delete")
