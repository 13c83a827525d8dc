"""Receivers: the OAI-PMH record state follows Wagtail's publish lifecycle; the monthly push
follows the roll-ups' refresh tick.

Each receiver runs in the editor's transaction, so a tombstone is written exactly when the change
that made it is (and rolled back with it)."""

from django.db.models.signals import post_delete, post_save
from wagtail.models import Page, PageViewRestriction
from wagtail.signals import page_published, page_unpublished, post_page_move

from catalogue.models import ResourcePage
from indicators.signals import rollups_refreshed


def _resource_ids_under(page) -> list[int]:
    return list(ResourcePage.objects.descendant_of(page, inclusive=True).values_list("pk", flat=True))


def _sync(resource_ids, *, touched=False):
    from .services import oai_records_sync

    oai_records_sync(resource_ids=resource_ids, touched=touched)


def on_published(sender, instance, **kwargs):
    if isinstance(instance, ResourcePage):
        _sync([instance.pk], touched=True)
    else:  # a section published again: resources below may be public once more
        _sync(_resource_ids_under(instance))


def on_unpublished(sender, instance, **kwargs):
    _sync(_resource_ids_under(instance))


def on_moved(sender, instance, **kwargs):
    # Every resource below changed its address (and may have left or entered the public tree).
    _sync(_resource_ids_under(instance), touched=True)


def on_resource_deleted(sender, instance, **kwargs):
    _sync([instance.pk])


def on_restriction_changed(sender, instance, **kwargs):
    page = Page.objects.filter(pk=instance.page_id).first()
    if page is not None:
        _sync(_resource_ids_under(page))


def on_rollups_refreshed(sender, **kwargs):
    """Each refresh tick of the roll-ups queues the monthly push (when one is configured): months
    close on the refreshed figures, and failed deliveries come due again (docs/interop.md §6)."""
    from .push import push_configured
    from .tasks import push_due_task

    if push_configured():
        push_due_task.enqueue()


def connect() -> None:
    page_published.connect(on_published, dispatch_uid="interop.on_published")
    page_unpublished.connect(on_unpublished, dispatch_uid="interop.on_unpublished")
    post_page_move.connect(on_moved, dispatch_uid="interop.on_moved")
    post_delete.connect(on_resource_deleted, sender=ResourcePage, dispatch_uid="interop.on_resource_deleted")
    post_save.connect(on_restriction_changed, sender=PageViewRestriction, dispatch_uid="interop.restriction_saved")
    post_delete.connect(on_restriction_changed, sender=PageViewRestriction, dispatch_uid="interop.restriction_deleted")
    rollups_refreshed.connect(on_rollups_refreshed, dispatch_uid="interop.rollups_refreshed")
