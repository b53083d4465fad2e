"""Pay on delivery for an order split into several parcels: each parcel carries its part of the amount to collect
(the parts add up to the kopeck), the payment is collected only when every parcel is, and a refused parcel follows
the issue's rules (flag at once; nothing bought out: order cancelled/returned with its stock back)."""

from decimal import Decimal

import pytest

from orders.models import OrderStatus
from orders.services import order_pack, order_ship
from payments.cod import cod_collected, cod_parcel_registered, cod_parcels_plan, cod_refused
from payments.exceptions import CodNotFound, CodSplitInvalid, RefundNotAllowed
from payments.models import CodCollection, CodCustomerFlag, CodLineOutcome, PaymentStatus
from payments.reconcile import cod_reconcile
from payments.refunds import order_refund
from payments.services import refund_left
from storefront.catalog.models import Sku
from storefront.core.money import quantize
from tests.catalog.factories import SkuFactory

from .factories import cod_payment

pytestmark = pytest.mark.django_db

T1, T2, T3 = "80082516000011", "80082516000028", "80082516000035"


def _thirds(total: Decimal) -> list[tuple[str, Decimal]]:
    part = quantize(total / 3)
    return [("P-1", part), ("P-2", part), ("P-3", total - 2 * part)]


def _split_and_shipped(*, stock: int = 10):
    """A COD order of 1 000,01 ₽ goods (+ delivery) in three parcels registered with the post, the order shipped."""
    sku = SkuFactory(price=Decimal("1000.01"), stock=stock)
    payment = cod_payment(skus=[sku], quantity=1)
    parts = _thirds(payment.amount)
    cod_parcels_plan(order=payment.order, parts=parts)
    for (ref, _), number in zip(parts, (T1, T2, T3), strict=True):
        cod_parcel_registered(order=payment.order, tracking_number=number, parcel_reference=ref)
    order_pack(order=payment.order, actor="system")
    order_ship(order=payment.order)
    return payment, dict(parts), sku


def test_the_parts_must_add_up_to_the_amount_to_collect_to_the_kopeck():
    payment = cod_payment()
    parts = _thirds(payment.amount)
    short = [*parts[:2], ("P-3", parts[2][1] - Decimal("0.01"))]

    with pytest.raises(CodSplitInvalid):
        cod_parcels_plan(order=payment.order, parts=short)

    assert list(CodCollection.objects.filter(payment=payment).values_list("parcel_reference", "amount")) == [
        ("", payment.amount)
    ]
    rows = cod_parcels_plan(order=payment.order, parts=parts)
    assert sum(r.amount for r in rows) == payment.amount
    assert cod_parcels_plan(order=payment.order, parts=parts) == rows  # the same plan again: nothing changes


def test_the_plan_stays_once_a_parcel_is_with_the_post():
    payment = cod_payment()
    cod_parcels_plan(order=payment.order, parts=_thirds(payment.amount))
    cod_parcel_registered(order=payment.order, tracking_number=T1, parcel_reference="P-1")

    with pytest.raises(CodSplitInvalid):
        cod_parcels_plan(order=payment.order, parts=[("P-1", payment.amount)])


def test_a_split_order_needs_the_parcel_to_be_named():
    payment = cod_payment()
    cod_parcels_plan(order=payment.order, parts=_thirds(payment.amount))

    with pytest.raises(CodNotFound):
        cod_parcel_registered(order=payment.order, tracking_number=T1)


def test_the_payment_is_collected_only_when_every_parcel_is():
    payment, parts, _ = _split_and_shipped()

    cod_collected(tracking_number=T1, amount=parts["P-1"])
    cod_collected(order=payment.order, parcel_reference="P-2", amount=parts["P-2"])
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.AWAITING_COLLECTION
    assert "2 of 3 parcels; waiting for P-3" in payment.events.last().note

    cod_collected(tracking_number=T3, amount=parts["P-3"])

    payment.refresh_from_db()
    assert payment.status == PaymentStatus.COLLECTED
    assert f"collected {payment.amount}" in payment.events.last().note
    assert not CodCollection.objects.filter(payment=payment, amount_mismatch=True).exists()


def test_a_repeated_parcel_report_changes_nothing():
    payment, parts, _ = _split_and_shipped()
    cod_collected(tracking_number=T1, amount=parts["P-1"])
    events = payment.events.count()

    cod_collected(tracking_number=T1, amount=parts["P-1"])
    cod_refused(tracking_number=T1, reason="Отказ")  # a contradicting late report: logged, ignored

    payment.refresh_from_db()
    assert payment.status == PaymentStatus.AWAITING_COLLECTION
    assert payment.events.count() == events + 1
    assert "ignored" in payment.events.last().note
    assert not CodCustomerFlag.objects.exists()


def test_each_parcel_is_reconciled_against_its_own_part(tmp_path):
    _payment, parts, _ = _split_and_shipped()
    for number, ref in ((T1, "P-1"), (T2, "P-2"), (T3, "P-3")):
        cod_collected(tracking_number=number, amount=parts[ref])
    header = "ШПИ;Сумма наложенного платежа;Плата за пересылку;Дата перевода;Номер платёжного поручения\n"
    body = "".join(f"{n};{parts[r]};10,00;03.02.2026;41{i}\n" for i, (n, r) in enumerate(((T1, "P-1"), (T2, "P-2"))))
    path = tmp_path / "reestr.csv"
    path.write_text(header + body)

    recon = cod_reconcile(path=path)

    assert recon.count(CodLineOutcome.MATCHED) == 2
    assert recon.applied_amount == parts["P-1"] + parts["P-2"]


def test_every_parcel_refused_cancels_nothing_twice_returns_the_order_and_its_stock_and_flags_once():
    payment, _, sku = _split_and_shipped(stock=10)
    assert Sku.objects.get(pk=sku.pk).stock == 9

    cod_refused(tracking_number=T1, reason="Отказ от получения")
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.AWAITING_COLLECTION  # two parcels still out
    assert CodCustomerFlag.objects.get(order=payment.order).reason == "Отказ от получения"  # flagged at once
    cod_refused(tracking_number=T2, reason="Истёк срок хранения")
    cod_refused(tracking_number=T3, reason="Истёк срок хранения")

    payment.refresh_from_db()
    payment.order.refresh_from_db()
    assert payment.status == PaymentStatus.UNCOLLECTED
    assert payment.order.status == OrderStatus.RETURNED
    assert "Отказ от получения" in payment.order.status_changes.last().reason
    assert Sku.objects.get(pk=sku.pk).stock == 10
    assert CodCustomerFlag.objects.filter(order=payment.order).count() == 1


def test_a_partly_refused_order_is_paid_for_what_was_bought_out_and_never_refunds_more():
    payment, parts, _ = _split_and_shipped()
    cod_collected(tracking_number=T1, amount=parts["P-1"])
    cod_refused(tracking_number=T2, reason="Отказ")
    cod_collected(tracking_number=T3, amount=parts["P-3"])

    payment.refresh_from_db()
    assert payment.status == PaymentStatus.COLLECTED
    assert "refused: P-2" in payment.events.last().note
    assert CodCustomerFlag.objects.filter(order=payment.order).exists()
    assert refund_left(payment=payment) == parts["P-1"] + parts["P-3"]
    with pytest.raises(RefundNotAllowed):
        order_refund(order=payment.order, amount=payment.amount, reason="Возврат всего", actor="system")
