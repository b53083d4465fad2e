"""The tracking client against the sandbox over HTTP: single and batch access, partner errors, bad answers."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from logistics.postal import breaker as breaker_module
from logistics.postal.client import TrackingClient
from logistics.postal.exceptions import (
    CircuitOpen,
    PartnerAuthError,
    PartnerUnavailable,
    TicketExpired,
    TicketNotReady,
)
from logistics.tracking_numbers import s10_make

CN = s10_make(serial=12345600, country="CN")
CN2 = s10_make(serial=12345601, country="CN")


def _ready_ticket(post_sandbox, barcodes) -> str:
    ticket = TrackingClient().ticket_get(barcodes)
    post_sandbox.advance(minutes=15)
    return ticket


def test_history_returns_every_operation_with_codes_and_aware_times(post_sandbox):
    post_sandbox.parcel(CN, scenario="normal", kind="china")
    post_sandbox.advance(days=20)
    events = TrackingClient().history(CN)
    assert [(e.oper_type, e.oper_attr) for e in events][:3] == [(1, 1), (8, 5), (10, 0)]
    assert events[-1].oper_type == 2
    assert all(e.occurred_at.utcoffset() is not None for e in events)
    assert events[0].raw["CountryOper"] == "CN"


def test_history_with_wrong_password_is_an_auth_error(post_sandbox, settings):
    settings.STORE_POST_PASSWORD = "wrong"
    with pytest.raises(PartnerAuthError):
        TrackingClient().history(CN)


def test_cod_events_of_a_delivered_parcel_carry_the_amount_in_kopecks(post_sandbox):
    post_sandbox.parcel(CN, scenario="normal", kind="china", cod_kopecks=250000)
    post_sandbox.advance(days=20)
    events = TrackingClient().cod_events(CN)
    assert [(e.event_type, e.kopecks) for e in events] == [(1, 250000), (3, 250000)]


def test_batch_answer_has_each_barcode_with_its_operations(post_sandbox):
    post_sandbox.parcel(CN, scenario="normal", kind="china")
    post_sandbox.parcel(CN2, scenario="normal", kind="eu")
    post_sandbox.advance(days=3)
    answer = TrackingClient().ticket_answer(_ready_ticket(post_sandbox, [CN, CN2]))
    assert [item.barcode for item in answer.items] == [CN, CN2]
    assert answer.items[0].events[0].oper_type == 1
    assert answer.skipped == 0


def test_ticket_answer_before_fifteen_minutes_is_not_ready(post_sandbox):
    client = TrackingClient()
    ticket = client.ticket_get([CN])
    with pytest.raises(TicketNotReady):
        client.ticket_answer(ticket)


def test_ticket_answer_after_thirty_two_hours_is_expired(post_sandbox):
    client = TrackingClient()
    ticket = client.ticket_get([CN])
    post_sandbox.advance(hours=32, minutes=1)
    with pytest.raises(TicketExpired):
        client.ticket_answer(ticket)


def test_barcode_the_partner_knows_nothing_about_comes_with_error_12(post_sandbox):
    post_sandbox.parcel(CN, scenario="nodata")
    answer = TrackingClient().ticket_answer(_ready_ticket(post_sandbox, [CN]))
    assert answer.items[0].error_code == 12
    assert answer.items[0].events == []


def test_batch_times_are_read_in_the_office_time_zone(post_sandbox):
    post_sandbox.parcel(CN, scenario="normal", kind="domestic", index_to="630090")
    post_sandbox.advance(days=20)
    answer = TrackingClient().ticket_answer(_ready_ticket(post_sandbox, [CN]))
    novosibirsk = [e for e in answer.items[0].events if e.index == "630090"]
    sandbox_ops = {op["at"] for op in post_sandbox.operations(CN) if op["index"] == "630090"}
    assert novosibirsk
    assert novosibirsk[0].occurred_at.tzinfo == ZoneInfo("Asia/Novosibirsk")
    assert novosibirsk[0].occurred_at.isoformat() in sandbox_ops


def test_malformed_record_is_skipped_and_the_other_records_are_kept(post_sandbox):
    post_sandbox.parcel(CN, scenario="normal", kind="china")
    post_sandbox.parcel(CN2, scenario="normal", kind="china")
    post_sandbox.advance(days=3)
    ticket = _ready_ticket(post_sandbox, [CN, CN2])
    post_sandbox.fault("bad_record", service="batch")
    answer = TrackingClient().ticket_answer(ticket)
    assert answer.skipped == 1
    assert len(answer.items[0].events) == len(post_sandbox.operations(CN)) - 1
    assert len(answer.items[1].events) == len(post_sandbox.operations(CN2))


def test_truncated_answer_is_retried(post_sandbox):
    ticket = _ready_ticket(post_sandbox, [CN])
    post_sandbox.fault("malformed", service="batch")
    assert TrackingClient().ticket_answer(ticket).items[0].barcode == CN
    assert post_sandbox.stats()["fault_malformed"] == 1


def test_http_500_is_retried(post_sandbox):
    post_sandbox.parcel(CN, scenario="nodata")
    post_sandbox.fault("http_500", service="single", times=2)
    assert TrackingClient().history(CN) == []
    assert post_sandbox.stats()["fault_http_500"] == 2


def test_timeouts_end_in_partner_unavailable_after_the_retries(post_sandbox, settings):
    settings.STORE_POST_TIMEOUT = 0.2
    settings.STORE_POST_RETRIES = 1
    post_sandbox.fault("timeout", service="single", times=2, seconds=1)
    with pytest.raises(PartnerUnavailable):
        TrackingClient().history(CN)
    assert post_sandbox.stats()["fault_timeout"] == 2


def test_partner_internal_error_counts_as_unavailable(post_sandbox, settings):
    settings.STORE_POST_RETRIES = 0
    post_sandbox.fault("internal_error", service="batch")
    with pytest.raises(PartnerUnavailable):
        TrackingClient().ticket_get([CN])


def test_circuit_opens_after_consecutive_failures_and_stops_calling(post_sandbox, settings):
    settings.STORE_POST_RETRIES = 0
    settings.STORE_POST_BREAKER_FAILURES = 2
    post_sandbox.fault("http_503", service="batch", times=5)
    client = TrackingClient()
    for _ in range(2):
        with pytest.raises(PartnerUnavailable):
            client.ticket_get([CN])
    with pytest.raises(CircuitOpen):
        client.ticket_get([CN])
    assert post_sandbox.stats()["fault_http_503"] == 2


def test_circuit_lets_one_call_through_after_its_time_and_closes_on_success(post_sandbox, settings, monkeypatch):
    settings.STORE_POST_RETRIES = 0
    settings.STORE_POST_BREAKER_FAILURES = 1
    settings.STORE_POST_BREAKER_SECONDS = 300
    post_sandbox.fault("http_503", service="batch")
    client = TrackingClient()
    with pytest.raises(PartnerUnavailable):
        client.ticket_get([CN])
    later = breaker_module._now() + timedelta(minutes=6).total_seconds()
    monkeypatch.setattr(breaker_module, "_now", lambda: later)
    assert client.ticket_get([CN])
    assert not client.config.breaker("batch").is_open()


def test_circuit_reopens_at_once_when_the_trial_call_fails(post_sandbox, settings, monkeypatch):
    settings.STORE_POST_RETRIES = 0
    settings.STORE_POST_BREAKER_FAILURES = 2
    post_sandbox.fault("http_503", service="batch", times=3)
    client = TrackingClient()
    for _ in range(2):
        with pytest.raises(PartnerUnavailable):
            client.ticket_get([CN])
    later = breaker_module._now() + 400
    monkeypatch.setattr(breaker_module, "_now", lambda: later)
    with pytest.raises(PartnerUnavailable):
        client.ticket_get([CN])
    with pytest.raises(CircuitOpen):
        client.ticket_get([CN])
