from celery import shared_task

from . import search_services


@shared_task(name="storefront.catalog.tasks.search_dictionary_rebuild", ignore_result=True)
def search_dictionary_rebuild() -> int:
    """Beat runs this nightly: triggers keep the typo dictionary's counts as products change; this recount drops
    words no product uses any more. Idempotent: a rerun recounts the same."""
    return search_services.search_dictionary_rebuild()


PICTURES_FETCH_TASK = "storefront.catalog.tasks.pictures_fetch"
PICTURES_FETCH_RETRIES = 3


@shared_task(name=PICTURES_FETCH_TASK, bind=True, ignore_result=True, max_retries=PICTURES_FETCH_RETRIES)
def pictures_fetch(self, *, product_ids: list[int]) -> dict[str, int]:
    """After an import: download these products' pending pictures (catalog/pictures.py). Idempotent: a picture with a
    file or a failure reason is not fetched again. Network errors and 5xx answers are retried with backoff a few
    times, then recorded as the picture's failure reason like any other."""
    from . import pictures

    final = self.request.retries >= PICTURES_FETCH_RETRIES
    counts = pictures.pictures_fetch(product_ids=product_ids, final=final)
    if counts["transient"]:
        raise self.retry(countdown=30 * 2**self.request.retries)
    return counts
