"""The job that moves orders, tells shoppers and reports COD after a tracking answer: safe to run twice, and the
beat sweep moves the orders a lost or failed job left behind."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from logistics.models import ParcelStatus
from logistics.postal.parsing import PartnerEvent
from logistics.postal.services import REACT_TASK, orders_follow_sweep, tracking_history_ingest
from orders.models import OrderStatus, OrderStatusChange
from storefront.notifications.models import Notification
from storefront.outbox.models import OutboxJob
from tests.outbox.inline import run_outbox_jobs

from .factories import packed_order, registered_parcel

pytestmark = pytest.mark.django_db
MSK = ZoneInfo("Europe/Moscow")


def _event(parcel, oper_type: int, oper_attr: int, days: float) -> PartnerEvent:
    return PartnerEvent(
        barcode=parcel.tracking_number,
        oper_type=oper_type,
        oper_attr=oper_attr,
        name="",
        occurred_at=datetime.now(MSK) - timedelta(days=30) + timedelta(days=days),
        index="101000",
        raw={},
    )


def _lose_react_jobs() -> int:
    """The react jobs queued so far never run (failed for good, or lost with their worker)."""
    return OutboxJob.objects.filter(task=REACT_TASK, relayed_at__isnull=True).delete()[0]


def _status(order) -> str:
    order.refresh_from_db()
    return order.status


def test_the_react_job_run_twice_moves_each_order_once_and_sends_each_message_once():
    parcel = registered_parcel()
    tracking_history_ingest(parcel=parcel, events=[_event(parcel, 1, 1, 0), _event(parcel, 2, 1, 9)])
    job = OutboxJob.objects.get(task=REACT_TASK)
    run_outbox_jobs()
    messages = Notification.objects.count()
    OutboxJob.objects.filter(pk=job.pk).update(relayed_at=None)  # delivered again (at least once)
    run_outbox_jobs()
    assert _status(parcel.order) == OrderStatus.DELIVERED
    moves = list(OrderStatusChange.objects.filter(order=parcel.order).values_list("to_status", flat=True))
    assert moves.count(OrderStatus.SHIPPED) == moves.count(OrderStatus.DELIVERED) == 1
    assert Notification.objects.count() == messages > 0


def test_an_order_whose_react_job_was_lost_is_shipped_then_delivered_by_the_sweep():
    parcel = registered_parcel()
    tracking_history_ingest(parcel=parcel, events=[_event(parcel, 1, 1, 0)])
    assert _lose_react_jobs() == 1
    assert _status(parcel.order) == OrderStatus.PACKED
    assert orders_follow_sweep() == 1
    assert _status(parcel.order) == OrderStatus.SHIPPED
    tracking_history_ingest(parcel=parcel, events=[_event(parcel, 2, 1, 9)])
    _lose_react_jobs()
    assert orders_follow_sweep() == 1
    assert _status(parcel.order) == OrderStatus.DELIVERED
    assert orders_follow_sweep() == 0


def test_the_sweep_waits_for_every_parcel_of_an_order():
    order = packed_order()
    first, second = registered_parcel(order=order), registered_parcel(order=order)
    tracking_history_ingest(parcel=first, events=[_event(first, 1, 1, 0), _event(first, 2, 1, 9)])
    tracking_history_ingest(parcel=second, events=[_event(second, 1, 1, 0)])
    _lose_react_jobs()
    orders_follow_sweep()
    assert _status(order) == OrderStatus.SHIPPED  # one parcel still on its way
    tracking_history_ingest(parcel=second, events=[_event(second, 2, 1, 10)])
    _lose_react_jobs()
    orders_follow_sweep()
    assert _status(order) == OrderStatus.DELIVERED


def test_the_sweep_leaves_lost_parcels_and_pay_on_delivery_returns_alone():
    lost = registered_parcel()
    tracking_history_ingest(parcel=lost, events=[_event(lost, 1, 1, 0), _event(lost, 5, 1, 9)])
    refused = registered_parcel(cod=True)
    tracking_history_ingest(parcel=refused, events=[_event(refused, 1, 1, 0), _event(refused, 3, 4, 9)])
    run_outbox_jobs()
    lost.refresh_from_db()
    refused.refresh_from_db()
    assert (lost.status, refused.status) == (ParcelStatus.LOST, ParcelStatus.RETURNING)
    assert orders_follow_sweep() == 0
    assert _status(lost.order) == OrderStatus.SHIPPED  # support decides what a lost parcel means
