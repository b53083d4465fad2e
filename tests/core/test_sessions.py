"""The session engine (storefront.core.sessions): cached_db, an existing session updated in one statement."""

import pytest
from django.contrib.sessions.backends.base import UpdateError
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from storefront.core.sessions import SessionStore

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_changed_session_is_one_update_and_survives_the_cache():
    store = SessionStore()
    store["cart_id"] = 1
    store.create()
    key = store.session_key

    store = SessionStore(session_key=key)
    store["cart_id"] = 2
    with CaptureQueriesContext(connection) as queries:
        store.save()

    assert [q["sql"].split()[0] for q in queries] == ["UPDATE"]
    cache.clear()  # the row, not the cache, is the session
    assert SessionStore(session_key=key)["cart_id"] == 2
    assert SessionStore(session_key=key).load() == {"cart_id": 2}


def test_a_session_deleted_meanwhile_is_not_brought_back():
    store = SessionStore()
    store["cart_id"] = 1
    store.create()
    Session.objects.filter(session_key=store.session_key).delete()
    store["cart_id"] = 3

    with pytest.raises(UpdateError):
        store.save()
    assert not Session.objects.filter(session_key=store.session_key).exists()


def test_a_new_session_is_created_as_django_does():
    store = SessionStore()
    store["x"] = "y"
    store.save()

    assert Session.objects.get(session_key=store.session_key).get_decoded() == {"x": "y"}
