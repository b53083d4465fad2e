"""client_ip: REMOTE_ADDR unless proxies of ours are configured; then the entry our outermost proxy wrote."""

import pytest
from django.test import RequestFactory

from storefront.core.http import client_ip

PROXY = "10.0.0.2"


def request_from(remote_addr: str | None = PROXY, forwarded_for: str | None = None):
    meta = {"REMOTE_ADDR": remote_addr or ""}
    if forwarded_for is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return RequestFactory().get("/", **meta)


def test_without_trusted_proxies_forwarded_for_changes_nothing(settings):
    settings.STORE_TRUSTED_PROXY_HOPS = 0
    assert client_ip(request_from("198.51.100.7", forwarded_for="203.0.113.1")) == "198.51.100.7"


def test_without_trusted_proxies_the_address_is_remote_addr(settings):
    settings.STORE_TRUSTED_PROXY_HOPS = 0
    assert client_ip(request_from("198.51.100.7")) == "198.51.100.7"


def test_one_proxy_gives_the_rightmost_forwarded_entry(settings):
    settings.STORE_TRUSTED_PROXY_HOPS = 1
    assert client_ip(request_from(forwarded_for="203.0.113.1")) == "203.0.113.1"


def test_entries_the_client_wrote_left_of_ours_are_ignored(settings):
    settings.STORE_TRUSTED_PROXY_HOPS = 1
    assert client_ip(request_from(forwarded_for="185.71.76.1, 127.0.0.1,203.0.113.1")) == "203.0.113.1"


def test_two_proxies_give_the_second_entry_from_the_right(settings):
    settings.STORE_TRUSTED_PROXY_HOPS = 2
    assert client_ip(request_from(forwarded_for="185.71.76.1, 203.0.113.1, 10.0.0.1")) == "203.0.113.1"


def test_ipv6_client_behind_a_proxy(settings):
    settings.STORE_TRUSTED_PROXY_HOPS = 1
    assert client_ip(request_from(forwarded_for="2001:db8::1")) == "2001:db8::1"


@pytest.mark.parametrize("forwarded_for", [None, "", "203.0.113.1"])
def test_a_header_shorter_than_our_proxies_falls_back_to_remote_addr(settings, forwarded_for):
    settings.STORE_TRUSTED_PROXY_HOPS = 2
    assert client_ip(request_from(forwarded_for=forwarded_for)) == PROXY


def test_a_non_address_where_ours_should_be_falls_back_to_remote_addr(settings):
    settings.STORE_TRUSTED_PROXY_HOPS = 1
    assert client_ip(request_from(forwarded_for="unknown")) == PROXY


def test_no_remote_addr_is_none(settings):
    settings.STORE_TRUSTED_PROXY_HOPS = 0
    assert client_ip(request_from(None)) is None
