"""Background work: indexing follows Wagtail's publish lifecycle without slowing the editor down."""

from django_tasks import task

from .services import search_documents_sync, search_index_rebuild


@task()
def index_resources(resource_ids: list[int]) -> dict:
    return search_documents_sync(resource_ids=resource_ids)


@task()
def rebuild_index() -> dict:
    return search_index_rebuild()
