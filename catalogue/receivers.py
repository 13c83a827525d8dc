"""What the catalogue does when a resource is published (Wagtail's page_published signal), whoever
published it (review's publication step, the admin, an import)."""

from django.db import transaction
from django.dispatch import receiver
from wagtail.signals import page_published

from .models import OFFICE_EXTENSIONS, ResourceFile, ResourcePage
from .services import resource_slug_make_readable


@receiver(page_published, sender=ResourcePage)
def resource_published(sender, instance, **kwargs):
    # A readable address instead of the draft's s2026-75bdb814add5 (in the same transaction, so
    # search indexes and links see the final URL).
    resource_slug_make_readable(page=instance)
    # Office documents get a PDF rendering for the in-page reader, in the worker.
    document_ids = [
        f.document_id
        for f in ResourceFile.objects.filter(page_id=instance.pk).select_related("document")
        if f.kind == ResourceFile.Kind.DOCUMENT and f.document.file_extension.lower() in OFFICE_EXTENSIONS
    ]
    if document_ids:
        from .tasks import document_previews_build

        transaction.on_commit(lambda: document_previews_build.enqueue(document_ids=document_ids))
