from celery import shared_task

from . import search_services


@shared_task(name="storefront.catalog.tasks.search_dictionary_rebuild", ignore_result=True)
def search_dictionary_rebuild() -> int:
    """Beat runs this nightly: triggers keep the typo dictionary's counts as products change; this recount drops
    words no product uses any more. Idempotent: a rerun recounts the same."""
    return search_services.search_dictionary_rebuild()
