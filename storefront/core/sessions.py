"""The session engine: Django's cached_db, with an existing session's row updated in one statement.

Django's db backend saves a session inside `transaction.atomic()`: BEGIN, UPDATE, COMMIT, three round trips to
PostgreSQL on every request that changes the session (~0.25 ms of CPU each on this machine). A single UPDATE in
autocommit mode is atomic by itself. Creating a session (it must not overwrite another's key) and a save inside a
caller's transaction keep Django's own path; the cache is written after the row, as cached_db does.
"""

from __future__ import annotations

import logging

from django.contrib.sessions.backends.base import UpdateError
from django.contrib.sessions.backends.cached_db import KEY_PREFIX  # noqa: F401 (part of an engine's interface)
from django.contrib.sessions.backends.cached_db import SessionStore as CachedDbSessionStore
from django.db import DatabaseError, connections, router

logger = logging.getLogger(__name__)


class SessionStore(CachedDbSessionStore):
    def save(self, must_create=False):
        connection = connections[router.db_for_write(self.model)]
        if must_create or self.session_key is None or connection.in_atomic_block:
            return super().save(must_create=must_create)
        data = self._get_session()
        table = connection.ops.quote_name(self.model._meta.db_table)
        try:
            with connection.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {table} SET session_data = %s, expire_date = %s WHERE session_key = %s",
                    [self.encode(data), self.get_expiry_date(), self.session_key],
                )
                updated = cursor.rowcount
        except DatabaseError as exc:
            raise UpdateError from exc
        if updated != 1:  # the session was deleted meanwhile (logged out in another tab): as Django's save says
            raise UpdateError
        try:
            self._cache.set(self.cache_key, self._session, self.get_expiry_age())
        except Exception:  # as cached_db: the database row is the session, the cache only a copy
            logger.exception("Error saving to cache (%s)", self._cache)
        return None
