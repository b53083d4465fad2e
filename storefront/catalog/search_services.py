"""Search writes: the log of terms that found nothing."""

from __future__ import annotations

from django.db import connection, transaction
from django.utils import timezone

from .search import search_term_key
from .search_models import SearchMiss

MISS_TERM_MAX = SearchMiss._meta.get_field("term").max_length


def search_miss_record(*, term: str) -> None:
    """Count one fruitless search for `term`: a single upsert, no transaction of its own, no read first."""
    term = search_term_key(term)[:MISS_TERM_MAX].strip()
    if not term:
        return
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO catalog_searchmiss (term, count, first_seen, last_seen) VALUES (%s, 1, %s, %s)
            ON CONFLICT (term) DO UPDATE SET count = catalog_searchmiss.count + 1, last_seen = EXCLUDED.last_seen
            """,
            [term, now, now],
        )


def search_dictionary_rebuild() -> int:
    """Recount every dictionary word and drop the unused ones (SQL function from migration 0002_search)."""
    with transaction.atomic(durable=True), connection.cursor() as cursor:
        cursor.execute("SELECT catalog_search_dictionary_rebuild()")
        return cursor.fetchone()[0]
