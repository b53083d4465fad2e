"""The catalog team (ops) reads the searches that found nothing and clears the ones dealt with; support does not."""

import pytest
from django.contrib.auth.models import Group
from django.test import Client

from storefront.catalog.models import SearchMiss
from storefront.catalog.tasks import search_dictionary_rebuild as rebuild_task
from storefront.celery import app
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db


def staff_client(group: str) -> Client:
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    client = Client()
    client.force_login(user)
    return client


def test_ops_sees_fruitless_searches_and_deletes_one():
    client = Client()
    client.get("/search/", {"q": "квазиштуковина"})
    ops = staff_client("ops")
    response = ops.get("/admin/catalog/searchmiss/")
    assert response.status_code == 200
    assert "квазиштуковина" in response.text
    miss = SearchMiss.objects.get(term="квазиштуковина")
    response = ops.post(f"/admin/catalog/searchmiss/{miss.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not SearchMiss.objects.filter(pk=miss.pk).exists()


def test_support_does_not_see_the_search_log():
    assert staff_client("support").get("/admin/catalog/searchmiss/").status_code == 403


def test_beat_rebuilds_the_search_dictionary_nightly():
    assert app.conf.beat_schedule["catalog-search-dictionary-rebuild"]["task"] == rebuild_task.name
