"""Notifications at the edge: the sender allow-list and the body's shape."""

import json

import pytest

from payments.exceptions import InvalidNotification
from payments.webhooks import notification_parse, sender_allowed

PROVIDER_NETWORKS = ["77.75.153.0/25", "77.75.156.11/32", "2a02:5180:0:1509::/64"]


@pytest.mark.parametrize("address", ["77.75.153.7", "77.75.156.11", "2a02:5180:0:1509::15", "::ffff:77.75.153.7"])
def test_provider_addresses_are_allowed(address):
    assert sender_allowed(address, PROVIDER_NETWORKS)


@pytest.mark.parametrize("address", ["77.75.153.200", "10.0.0.1", "127.0.0.1", "2a02:5180:0:9999::1", "nonsense", ""])
def test_other_addresses_are_refused(address):
    assert not sender_allowed(address, PROVIDER_NETWORKS)


def test_default_allowlist_holds_the_provider_networks_and_in_tests_loopback():
    assert sender_allowed("185.71.76.5")
    assert sender_allowed("127.0.0.1")
    assert not sender_allowed("8.8.8.8")


def test_well_formed_notification_is_parsed():
    body = {"type": "notification", "event": "payment.succeeded", "object": {"id": "2d6d-x", "status": "succeeded"}}

    notification = notification_parse(json.dumps(body).encode())

    assert (notification.event, notification.object_id, notification.object_status) == (
        "payment.succeeded",
        "2d6d-x",
        "succeeded",
    )
    assert notification.handled


def test_events_we_do_not_handle_are_parsed_but_not_handled():
    body = {"type": "notification", "event": "payout.succeeded", "object": {"id": "po-1"}}

    assert not notification_parse(json.dumps(body).encode()).handled


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"[]",
        b'{"type": "other", "event": "payment.succeeded", "object": {"id": "x"}}',
        b'{"type": "notification", "object": {"id": "x"}}',
        b'{"type": "notification", "event": "payment.succeeded", "object": {}}',
    ],
)
def test_malformed_notifications_are_refused(body):
    with pytest.raises(InvalidNotification):
        notification_parse(body)
