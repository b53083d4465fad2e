"""CSRF: every form post and htmx request carries the token; only the provider's webhook is exempt."""

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

pytestmark = pytest.mark.django_db


def _views(patterns, prefix=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _views(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry.callback


def test_only_the_payment_webhook_is_exempt_from_csrf():
    exempt = {route for route, view in _views(get_resolver().url_patterns) if getattr(view, "csrf_exempt", False)}

    assert exempt == {"payments/webhook/"}


def test_a_post_without_the_token_is_refused():
    client = Client(enforce_csrf_checks=True)

    response = client.post("/cart/add/", {"sku": 1, "quantity": 1}, HTTP_HX_REQUEST="true")

    assert response.status_code == 403


def test_htmx_requests_send_the_token_from_the_page():
    client = Client(enforce_csrf_checks=True)
    html = client.get("/account/login/").content.decode()
    token = html.split('hx-headers=\'{"X-CSRFToken": "', 1)[1].split('"', 1)[0]

    response = client.post("/cart/add/", {"sku": 1, "quantity": 1}, HTTP_HX_REQUEST="true", HTTP_X_CSRFTOKEN=token)

    assert response.status_code == 200
