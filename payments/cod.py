"""Pay on delivery («наложенный платёж»): who may use it, confirming such an order, and what the post reports.

- `cod_eligibility` — the rules (settings STORE_COD_*, CodExclusion rows, open CodCustomerFlag rows); checkout shows
  the reason when pay on delivery is not offered.
- `cod_payment_start` — right after order_place: the order is confirmed without prepayment, and a Payment
  (method cod, awaiting_collection) with its CodCollection records what the post is to collect.
- Logistics calls `cod_amount_for_order` (the parcel's COD amount), `cod_parcel_registered` (the tracking number),
  then `cod_collected` or `cod_refused` when the post reports the parcel handed over or refused / returned.
  Payments never reads logistics' tables: everything it needs about the parcel is passed in these calls.

Locking: every write locks the Payment row first (SELECT … FOR NO KEY UPDATE), then touches its CodCollection and
moves its order through orders.services (which locks the order row): the lock order of payments.services. So two
reports of one parcel at once make one transition; the second finds it done and returns.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterable, Sequence
from datetime import datetime
from decimal import Decimal
from typing import NamedTuple

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext

from orders.exceptions import CancelRefused
from orders.models import Order, OrderStatus
from orders.services import PlacingWrites, RowWrite, order_cancel, order_confirm, order_mark_returned, order_ship
from storefront.accounts.phone import normalize_phone
from storefront.core.money import Money, format_money, quantize

from .exceptions import CodNotFound, CodSplitInvalid, OrderNotPayable, PaymentError, PaymentMethodUnavailable
from .models import (
    CodCollection,
    CodCustomerFlag,
    CodExclusion,
    EventSource,
    Payment,
    PaymentEvent,
    PaymentMethod,
    PaymentStatus,
)
from .services import payment_event_record, payment_transition

log = logging.getLogger("payments.cod")

SYSTEM = "system"
# Order statuses before the parcel leaves (a refusal then cancels the order; after it, the order is returned).
NOT_SHIPPED = frozenset({OrderStatus.PLACED, OrderStatus.CONFIRMED, OrderStatus.PACKED})
FINISHED = frozenset({PaymentStatus.UNCOLLECTED, PaymentStatus.CANCELED})


# --- the rules ------------------------------------------------------------------------------------------------------


class CodEligibility(NamedTuple):
    ok: bool
    reason: str = ""  # why not, for the shopper (Russian, translated); empty when ok


def cod_max_total() -> Decimal:
    return Decimal(settings.STORE_COD_MAX_RUB)


def cod_rules() -> list[tuple[str, str]]:
    """The rules in force, as (rule, value) for the admin's COD pages (settings live outside the admin)."""
    on = gettext("включена") if settings.STORE_COD_ENABLED else gettext("выключена (STORE_COD_ENABLED)")
    return [
        (gettext("Оплата при получении"), on),
        (gettext("Наибольшая сумма заказа (STORE_COD_MAX_RUB)"), format_money(cod_max_total())),
        (
            gettext("Закрыта покупателю после невыкупов, не снятых поддержкой (STORE_COD_REFUSALS_LIMIT)"),
            str(settings.STORE_COD_REFUSALS_LIMIT),
        ),
        (gettext("Срок перечисления почтой, дней (STORE_COD_REMIT_DAYS)"), str(settings.STORE_COD_REMIT_DAYS)),
    ]


# The two per-shopper COD rules in one statement (the checkout asks on every step and again when placing): titles of
# the products among the SKUs that an exclusion in force keeps from pay on delivery, and the refused parcels not
# cleared by support of this account or phone number. NULL parameters match nothing.
_COD_BLOCKS_SQL = """
SELECT
    ARRAY(
        SELECT DISTINCT p.title FROM catalog_sku s JOIN catalog_product p ON p.id = s.product_id
        WHERE s.id = ANY(%(sku_ids)s) AND EXISTS (
            SELECT 1 FROM payments_codexclusion x
            WHERE (x.sku_id = s.id OR x.product_id = s.product_id)
              AND x.starts_at <= %(at)s AND (x.ends_at IS NULL OR x.ends_at > %(at)s)
        )
    ),
    (SELECT count(*) FROM payments_codcustomerflag f
     WHERE f.cleared_at IS NULL AND (f.user_id = %(user_id)s OR f.phone = %(phone)s))
"""


def _cod_blocks(*, sku_ids: Iterable[int] = (), user=None, phone: str = "", at: datetime | None = None):
    """(excluded product titles, sorted; open refusals) — one query, none when there is nothing to ask about."""
    sku_ids = [int(pk) for pk in sku_ids]
    user_id = getattr(user, "pk", None) or None
    normalized = None
    if phone:
        with contextlib.suppress(ValidationError):  # a number that is not one matches nobody
            normalized = normalize_phone(phone)
    if not sku_ids and user_id is None and normalized is None:
        return [], 0
    params = {"sku_ids": sku_ids, "at": at or timezone.now(), "user_id": user_id, "phone": normalized}
    with connection.cursor() as cursor:
        cursor.execute(_COD_BLOCKS_SQL, params)
        titles, refusals = cursor.fetchone()
    return sorted(set(titles)), refusals


def cod_excluded_titles(*, sku_ids: Iterable[int], at: datetime | None = None) -> list[str]:
    """Titles of the products among `sku_ids` that an exclusion in force now keeps from pay on delivery."""
    sku_ids = list(sku_ids)
    return _cod_blocks(sku_ids=sku_ids, at=at)[0] if sku_ids else []


def cod_open_refusals(*, user=None, phone: str = "") -> int:
    """Refused pay-on-delivery parcels not cleared by support, of this account or phone number."""
    return _cod_blocks(user=user, phone=phone)[1]


def cod_eligibility(*, order_or_cart_total, sku_ids: Iterable[int], user=None, phone: str = "") -> CodEligibility:
    """May this order (or cart) be paid on delivery? (ok, reason) — the reason is shown to the shopper."""
    if not settings.STORE_COD_ENABLED:
        return CodEligibility(False, gettext("Оплата при получении сейчас недоступна."))
    total = order_or_cart_total.amount if isinstance(order_or_cart_total, Money) else Decimal(order_or_cart_total)
    if total > cod_max_total():
        return CodEligibility(
            False,
            gettext("Оплата при получении — для заказов до %(limit)s. Выберите оплату онлайн.")
            % {"limit": format_money(cod_max_total())},
        )
    titles, refusals = _cod_blocks(sku_ids=sku_ids, user=user, phone=phone)
    if titles:
        quoted = ", ".join(f"«{t}»" for t in titles)
        # One title or a list, not a number to agree with: ngettext would give Russian "Товар" for 21 titles.
        if len(titles) == 1:
            text = gettext("Товар %(titles)s можно оплатить только онлайн.")
        else:
            text = gettext("Товары %(titles)s можно оплатить только онлайн.")
        return CodEligibility(False, text % {"titles": quoted})
    if refusals >= settings.STORE_COD_REFUSALS_LIMIT:
        return CodEligibility(
            False,
            gettext(
                "Оплата при получении недоступна: прошлый заказ с оплатой при получении не был выкуплен. "
                "Выберите оплату онлайн."
            ),
        )
    return CodEligibility(True)


def cod_exclusion_add(
    *,
    reason: str,
    actor,
    product_ids: Iterable[int] = (),
    sku_ids: Iterable[int] = (),
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
) -> list[CodExclusion]:
    """Keep products (all their variants) or single variants from pay on delivery, e.g. for a flash sale."""
    start = starts_at or timezone.now()
    user = actor if getattr(actor, "pk", None) else None
    common = {"reason": reason, "starts_at": start, "ends_at": ends_at, "created_by": user}
    rows = [CodExclusion(product_id=pk, **common) for pk in product_ids] + [
        CodExclusion(sku_id=pk, **common) for pk in sku_ids
    ]
    with transaction.atomic():  # not durable: the admin's add form calls it inside its own transaction
        return CodExclusion.objects.bulk_create(rows)


def cod_flag_clear(*, flag_id: int, actor, note: str) -> CodCustomerFlag:
    """Support lifts a refusal flag (the shopper paid for the return, or it was not their fault)."""
    if not (note or "").strip():
        raise PaymentError("a reason is required to clear a COD flag")
    with transaction.atomic():  # not durable: the admin's change form calls it inside its own transaction
        flag = CodCustomerFlag.objects.select_for_update().get(pk=flag_id)
        if flag.cleared_at is None:
            flag.cleared_at = timezone.now()
            flag.cleared_by = actor if getattr(actor, "pk", None) else None
            flag.clear_note = note.strip()[:255]
            flag.save(update_fields=["cleared_at", "cleared_by", "clear_note"])
    return flag


# --- the order and its payment --------------------------------------------------------------------------------------


def cod_payment_start(*, order: Order, actor=SYSTEM) -> Payment:
    """A pay-on-delivery order placed without its payment (demo data, the admin): confirm it without prepayment and
    open the payment the post collects. The checkout writes both with the order instead (`cod_payment_placing`).

    Idempotent: a second call returns the payment the first one opened. Raises PaymentMethodUnavailable for an order
    placed with another method, OrderNotPayable for one no longer placed/confirmed. Runs in the caller's transaction
    when there is one, else in its own.
    """
    if order.payment_method != PaymentMethod.CASH_ON_DELIVERY:
        raise PaymentMethodUnavailable(f"order {order.number} is paid by {order.payment_method}, not on delivery")
    with transaction.atomic():
        # No payment row exists yet, so the order row is the lock two concurrent calls meet on.
        locked = Order.objects.select_for_update(no_key=True).get(pk=order.pk)
        existing = CodCollection.objects.select_related("payment").filter(order_id=locked.pk).first()
        if existing is not None:
            return existing.payment
        if locked.status == OrderStatus.PLACED:
            locked = order_confirm(order=locked, actor=actor, reason=gettext("Оплата при получении"))
        elif locked.status != OrderStatus.CONFIRMED:
            raise OrderNotPayable(f"order {locked.number} is {locked.status}")
        payment, event, collection = _cod_payment_rows(locked)
        payment.save(force_insert=True)
        event.payment = payment
        event.save(force_insert=True)
        collection.payment = payment
        collection.save(force_insert=True)
    order.status = locked.status
    return payment


def cod_payment_placing(*, order: Order, actor=SYSTEM) -> PlacingWrites:
    """A pay-on-delivery order being placed (orders.order_place's `with_order`): it is confirmed at once, without
    prepayment, and its payment to collect is opened, in the statement that places it (nothing to wait for: no
    partner is called)."""
    if order.payment_method != PaymentMethod.CASH_ON_DELIVERY:
        raise PaymentMethodUnavailable(f"an order paid by {order.payment_method} is not paid on delivery")
    payment, event, collection = _cod_payment_rows(order)
    payment_row = RowWrite(payment)
    return PlacingWrites(
        rows=[
            payment_row,
            RowWrite(event, refs={"payment_id": payment_row}),
            RowWrite(collection, refs={"payment_id": payment_row}),
        ],
        status=OrderStatus.CONFIRMED,
        actor=actor,
        reason=gettext("Оплата при получении"),
    )


def _cod_payment_rows(order: Order) -> tuple[Payment, PaymentEvent, CodCollection]:
    """The payment the post collects, its first event and the collection of its one parcel (until split), unsaved."""
    payment = Payment(
        order=order,
        method=PaymentMethod.CASH_ON_DELIVERY,
        status=PaymentStatus.AWAITING_COLLECTION,
        amount=order.total,
        currency=order.currency,
        capture=False,
    )
    event = PaymentEvent(
        payment=payment,
        from_status="",
        to_status=PaymentStatus.AWAITING_COLLECTION,
        source=EventSource.SYSTEM,
        note=f"to collect on delivery: {payment.amount} {payment.currency}",
    )
    return payment, event, CodCollection(payment=payment, order=order, amount=payment.amount)


def cod_amount_for_order(order: Order) -> Money:
    """What the post is to collect for this order (the parcel's COD amount); zero when nothing is to be collected.

    Logistics turns it into kopecks at the post's boundary (`Money.minor_units`)."""
    row = (
        Payment.objects.filter(
            order_id=order.pk, method=PaymentMethod.CASH_ON_DELIVERY, status=PaymentStatus.AWAITING_COLLECTION
        )
        .values_list("amount", "currency")
        .first()
    )
    return Money(*row) if row else Money(Decimal(0), order.currency)


def _tracking_clean(tracking_number: str | None) -> str:
    return "".join((tracking_number or "").split()).upper()[:32]


def cod_parcels_plan(*, order: Order, parts: Sequence[tuple[str, Decimal]], actor=SYSTEM) -> list[CodCollection]:
    """Logistics split a pay-on-delivery order into parcels: what the post collects in each, as (parcel reference,
    amount). Runs in the caller's transaction (logistics writes the parcels and their COD amounts in the same one).

    The parts must add up to the amount to collect exactly (to the kopeck); a part of zero is a parcel that carries
    no COD and is left out. Idempotent: the same plan again changes nothing. A different plan replaces the previous
    one only while no parcel has been registered with the post or reported on. Raises CodNotFound (no payment
    awaiting collection), CodSplitInvalid.
    """
    wanted = [(str(ref).strip(), _amount(amount)) for ref, amount in parts]
    wanted = [(ref, amount) for ref, amount in wanted if amount != 0]
    refs = [ref for ref, _ in wanted]
    if not wanted or any(amount < 0 for _, amount in wanted) or "" in refs or len(set(refs)) != len(refs):
        raise CodSplitInvalid(f"order {order.number}: a COD plan needs distinct parcels with positive amounts")
    with transaction.atomic():  # a savepoint: a refused plan leaves the caller's transaction usable
        payment = (
            Payment.objects.select_for_update(no_key=True)
            .filter(order_id=order.pk, method=PaymentMethod.CASH_ON_DELIVERY, status=PaymentStatus.AWAITING_COLLECTION)
            .first()
        )
        if payment is None:
            raise CodNotFound(f"no pay-on-delivery payment awaiting collection for {order.number}")
        total = sum((amount for _, amount in wanted), Decimal(0))
        if total != payment.amount:
            raise CodSplitInvalid(f"order {order.number}: parcels carry {total}, {payment.amount} is to be collected")
        current = list(payment.cod_collections.order_by("id"))
        if sorted((c.parcel_reference, c.amount) for c in current) == sorted(wanted):
            return current
        if any(c.tracking_number or c.is_settled for c in current):
            raise CodSplitInvalid(f"order {order.number}: a parcel is already with the post; the plan stays")
        CodCollection.objects.filter(payment=payment).delete()
        rows = CodCollection.objects.bulk_create(
            CodCollection(payment=payment, order_id=order.pk, parcel_reference=ref, amount=amount)
            for ref, amount in wanted
        )
        payment_event_record(
            payment=payment,
            source=EventSource.LOGISTICS,
            actor=actor,
            note="to collect: " + ", ".join(f"{ref} {amount}" for ref, amount in wanted),
        )
    return rows


def _locked_collection(*, order: Order | None, tracking_number: str, parcel_reference: str = "") -> CodCollection:
    """One parcel's COD collection, its payment row locked (payment first, always).

    By tracking number when we know it; else by the order and the parcel's reference; an order with one collection
    needs neither. Raises CodNotFound when the parcel cannot be told."""
    rows = CodCollection.objects.all()
    if tracking_number and (order is None or rows.filter(order_id=order.pk, tracking_number=tracking_number).exists()):
        rows = rows.filter(tracking_number=tracking_number)
    elif order is not None:
        rows = rows.filter(order_id=order.pk)
    else:
        raise TypeError("pass order= or tracking_number=")
    payment_id = rows.values_list("payment_id", flat=True).first()
    if payment_id is None:
        raise CodNotFound(f"no pay-on-delivery payment for {order or tracking_number}")
    payment = Payment.objects.select_for_update(no_key=True).get(pk=payment_id)
    candidates = list(rows.filter(payment_id=payment_id).order_by("id"))
    if len(candidates) > 1:
        candidates = [c for c in candidates if parcel_reference and c.parcel_reference == parcel_reference]
    if len(candidates) != 1:
        raise CodNotFound(f"which parcel of {order or tracking_number}? ({parcel_reference or 'no reference'})")
    collection = candidates[0]
    collection.payment = payment
    return collection


def _tracking_remember(collection: CodCollection, tracking_number: str) -> None:
    if tracking_number and collection.tracking_number != tracking_number:
        if CodCollection.objects.filter(tracking_number=tracking_number).exclude(pk=collection.pk).exists():
            raise PaymentError(f"tracking number {tracking_number} already belongs to another COD parcel")
        collection.tracking_number = tracking_number
        collection.save(update_fields=["tracking_number"])


def cod_parcel_registered(
    *, order: Order, tracking_number: str, parcel_reference: str = "", actor=SYSTEM
) -> CodCollection:
    """Logistics registered a parcel of a COD order with the post: remember its tracking number (the key of the
    post's remittance register). A parcel re-registered under a new number replaces the old one. `parcel_reference`
    tells which parcel when the order was split (cod_parcels_plan)."""
    number = _tracking_clean(tracking_number)
    if not number:
        raise ValueError("a tracking number is required")
    with transaction.atomic(durable=True):
        collection = _locked_collection(order=order, tracking_number="", parcel_reference=parcel_reference)
        if collection.tracking_number != number:
            old = collection.tracking_number
            _tracking_remember(collection, number)
            payment_event_record(
                payment=collection.payment,
                source=EventSource.LOGISTICS,
                actor=actor,
                note=f"parcel {collection.parcel_reference or ''} {number}".replace("  ", " ")
                + (f" (was {old})" if old else ""),
            )
    return collection


def _amount(value) -> Decimal:
    if isinstance(value, Money):
        return value.amount
    if isinstance(value, float):
        raise TypeError("money is never a float")
    return quantize(Decimal(value))


def _parcel_name(collection: CodCollection) -> str:
    return collection.parcel_reference or collection.tracking_number or "parcel"


def cod_collected(
    *,
    amount,
    order: Order | None = None,
    tracking_number: str = "",
    parcel_reference: str = "",
    collected_at: datetime | None = None,
    source: str = EventSource.LOGISTICS,
    actor=SYSTEM,
) -> Payment:
    """The post handed a parcel over and collected `amount` (Money or Decimal roubles) for it.

    Found by `tracking_number`, or by `order` (+ `parcel_reference` when it was split); both order and number may be
    given: the number is then remembered. The payment becomes collected when every parcel of the order is; until
    then the timeline says how many are. Idempotent: a repeated report changes nothing (a different amount in it is
    recorded on the timeline). A collected amount that differs from the parcel's is recorded (timeline,
    CodCollection.amount_mismatch) and still counts: the money is at the post either way and the reconciliation shows
    the difference. A report for a parcel already refused changes nothing and is logged. Raises CodNotFound.
    """
    amount = _amount(amount)
    number = _tracking_clean(tracking_number)
    collected_at = collected_at or timezone.now()
    with transaction.atomic(durable=True):
        collection = _locked_collection(order=order, tracking_number=number, parcel_reference=parcel_reference)
        payment = collection.payment
        if order is not None:
            _tracking_remember(collection, number)
        if payment.status != PaymentStatus.AWAITING_COLLECTION or collection.is_settled:
            if collection.collected_at is not None and amount == collection.collected_amount:
                return payment  # the same report again
            payment_event_record(
                payment=payment, source=source, actor=actor,
                note=f"collection of {amount} for {_parcel_name(collection)} reported again while "
                f"{'refused' if collection.refused_at else payment.status}: ignored",
                payload={"amount": str(amount), "collected_at": collected_at.isoformat()},
            )  # fmt: skip
            if collection.collected_at is None:
                log.error("COD payment %s is %s; the post reports it collected", payment.pk, payment.status)
            return payment
        collection.collected_amount = amount
        collection.collected_at = collected_at
        collection.amount_mismatch = amount != collection.amount
        collection.save(update_fields=["collected_amount", "collected_at", "amount_mismatch"])
        note = f"collected {amount} {payment.currency}"
        if collection.amount_mismatch:
            note += f"; amount mismatch: {collection.amount} was to be collected"
            log.warning("COD payment %s: collected %s instead of %s", payment.pk, amount, collection.amount)
        payload = {
            "amount": str(amount),
            "collected_at": collected_at.isoformat(),
            "tracking_number": collection.tracking_number or "",
            "parcel": collection.parcel_reference,
        }
        _settle_or_wait(payment=payment, collection=collection, source=source, actor=actor, note=note, payload=payload)
    return payment


def _settle_or_wait(*, payment: Payment, collection: CodCollection, source: str, actor, note: str, payload: dict):
    """One parcel just got its outcome (payment locked): while others are still out, the timeline says so; once
    every parcel has one, the payment settles — collected (all collected), uncollected (none: the order is
    cancelled or returned, its goods back on sale), or collected for the parcels bought out (some refused: the
    order is delivered in part; what was refused comes back as a returned parcel, counted by the warehouse)."""
    parcels = list(payment.cod_collections.order_by("id"))
    waiting = [c for c in parcels if not c.is_settled and c.pk != collection.pk]
    if waiting:
        settled = len(parcels) - len(waiting)
        payment_event_record(
            payment=payment, source=source, actor=actor, payload=payload,
            note=f"{_parcel_name(collection)}: {note} ({settled} of {len(parcels)} parcels; waiting for "
            + ", ".join(_parcel_name(c) for c in waiting) + ")",
        )  # fmt: skip
        return
    collected = [c for c in parcels if c.collected_at is not None]
    if not collected:
        reason = _refusal_reason(payment) or note
        _order_refused(payment=payment, source=source, actor=actor, reason=reason)
        payment_transition(
            payment=payment, to_status=PaymentStatus.UNCOLLECTED, source=source, actor=actor, note=reason[:255]
        )
        return
    if len(parcels) > 1:
        total = sum((c.collected_amount for c in collected), Decimal(0))
        note = f"{_parcel_name(collection)}: {note}; all parcels settled, collected {total} {payment.currency}"
        refused = [c for c in parcels if c.refused_at is not None]
        if refused:
            note += "; refused: " + ", ".join(f"{_parcel_name(c)} ({c.amount})" for c in refused)
    payment_transition(
        payment=payment, to_status=PaymentStatus.COLLECTED, source=source, actor=actor, note=note, payload=payload
    )


def _refusal_reason(payment: Payment) -> str:
    """The refusal reason recorded on the order's flag (the first refused parcel's)."""
    return CodCustomerFlag.objects.filter(order_id=payment.order_id).values_list("reason", flat=True).first() or ""


def _order_actor(source: str, actor):
    return actor if getattr(actor, "pk", None) else str(source)


def _order_refused(*, payment: Payment, source: str, actor, reason: str) -> Order:
    """Nothing of the order was bought out: cancelled if it had not shipped yet, else returned; its goods go back on
    sale either way (orders.services)."""
    the_order = Order.objects.get(pk=payment.order_id)
    why = gettext("Посылка с оплатой при получении не выкуплена: %(reason)s") % {"reason": reason}
    who = _order_actor(source, actor)
    if the_order.status in NOT_SHIPPED:
        try:
            with transaction.atomic():
                return order_cancel(order=the_order, actor=who, reason=why)
        except CancelRefused:
            # logistics refuses: the parcel was with the post though the order still said "packed" (tracking lag);
            # it shipped and came back
            the_order.refresh_from_db(fields=["status", "updated_at"])  # the refused cancellation was rolled back
            if the_order.status != OrderStatus.PACKED:
                raise
            the_order = order_ship(order=the_order, actor=who, reason=why)
    if the_order.status == OrderStatus.SHIPPED:
        the_order = order_mark_returned(order=the_order, actor=who, reason=why, restock=True)
    elif the_order.status not in (OrderStatus.CANCELLED, OrderStatus.RETURNED):
        log.error("COD order %s is %s; the post reports the parcel refused", the_order.number, the_order.status)
    return the_order


def cod_refused(
    *,
    reason: str,
    order: Order | None = None,
    tracking_number: str = "",
    parcel_reference: str = "",
    source: str = EventSource.LOGISTICS,
    actor=SYSTEM,
) -> Payment:
    """The shopper refused a parcel, or it came back uncollected: nothing will be collected for it.

    The shopper (account and phone) gets a CodCustomerFlag at once. When it was the order's last parcel without an
    outcome, the payment settles (_settle_or_wait): with nothing bought out it becomes uncollected and the order is
    cancelled if it had not shipped yet, else marked returned, its goods back on sale either way. Idempotent; a
    refusal reported for a parcel already collected changes nothing and is logged.
    """
    reason = (reason or "").strip() or gettext("Посылка не выкуплена")
    number = _tracking_clean(tracking_number)
    with transaction.atomic(durable=True):
        collection = _locked_collection(order=order, tracking_number=number, parcel_reference=parcel_reference)
        payment = collection.payment
        if payment.status in FINISHED or collection.refused_at is not None:
            return payment
        if payment.status != PaymentStatus.AWAITING_COLLECTION or collection.collected_at is not None:
            payment_event_record(
                payment=payment, source=source, actor=actor,
                note=f"refusal of {_parcel_name(collection)} reported while collected: ignored",
            )  # fmt: skip
            log.error("COD payment %s is %s; the post reports the parcel refused", payment.pk, payment.status)
            return payment
        collection.refused_at = timezone.now()
        collection.save(update_fields=["refused_at"])
        the_order = Order.objects.only("pk", "user_id", "contact_phone").get(pk=collection.order_id)
        CodCustomerFlag.objects.get_or_create(
            order_id=the_order.pk,
            defaults={"user_id": the_order.user_id, "phone": the_order.contact_phone, "reason": reason[:255]},
        )
        _settle_or_wait(
            payment=payment, collection=collection, source=source, actor=actor, note=f"refused: {reason}"[:255],
            payload={"parcel": collection.parcel_reference, "tracking_number": collection.tracking_number or ""},
        )  # fmt: skip
    if order is not None:
        order.status = Order.objects.values_list("status", flat=True).get(pk=order.pk)
    return payment
