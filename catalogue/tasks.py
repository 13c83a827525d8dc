"""Background work of the catalogue (django-tasks; in-process in dev and tests, the worker in
production)."""

from django_tasks import task


@task()
def document_previews_build(*, document_ids: list[int]) -> dict:
    """PDF renderings of published office documents, for reading in the page."""
    from wagtail.documents import get_document_model

    from .previews import document_preview_build

    results = {}
    for document in get_document_model().objects.filter(pk__in=document_ids):
        results[document.pk] = document_preview_build(document=document).status
    return results
