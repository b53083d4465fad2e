"""Logistics writes.

Locking policy: a parcel's status and tracking number change only under a row lock on the parcel
(SELECT ... FOR NO KEY UPDATE); when several parcels are touched they are locked in ascending id order.
Nothing here moves orders: the tracking sync (logistics.postal) decides when an order is shipped or delivered.
"""

from __future__ import annotations

import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from ..exceptions import InvalidParcelTransition, TrackingNumberTaken
from ..models import ALLOWED_TRANSITIONS, Parcel, ParcelStatus, ParcelStatusChange
from ..tracking_numbers import tracking_number_parse

SYSTEM = "system"


def actor_parts(actor) -> tuple[object | None, str]:
    """(user or None, label) for history rows: a User, or a label such as "system" or "postal"."""
    if isinstance(actor, str):
        return None, actor
    if actor is None or not getattr(actor, "is_authenticated", False):
        return None, SYSTEM
    return actor, "staff" if actor.is_staff else "customer"


def parcel_status_change(
    *,
    parcel: Parcel,
    to: str,
    actor,
    reason: str = "",
    at: datetime.datetime | None = None,
    storage_deadline: datetime.date | None = None,
) -> Parcel:
    """The one way a parcel changes status: lock, check the table, write the status and the history row.

    `at` is when it happened (a tracking event's time; now by default). Moving to the status the parcel already
    has is a no-op (tracking reports many events per status) except that a new `storage_deadline` is kept.
    Runs in the caller's transaction when there is one (the tracking sync stores the event alongside), else in
    its own. Raises InvalidParcelTransition without writing anything.
    """
    to = ParcelStatus(to)
    at = at or timezone.now()
    user, label = actor_parts(actor)
    with transaction.atomic():
        locked = Parcel.objects.select_for_update(no_key=True).get(pk=parcel.pk)
        from_status = locked.status
        changes: dict = {}
        if storage_deadline is not None and storage_deadline != locked.storage_deadline:
            changes["storage_deadline"] = storage_deadline
        if to != from_status:
            if to not in ALLOWED_TRANSITIONS[from_status]:
                raise InvalidParcelTransition(
                    reference=locked.reference,
                    from_label=ParcelStatus(from_status).label,
                    to_label=to.label,
                )
            changes.update(status=to, status_changed_at=at)
            if to == ParcelStatus.DELIVERED:
                changes["delivered_at"] = at
            ParcelStatusChange.objects.create(
                parcel=locked, from_status=from_status, to_status=to, actor=user, actor_label=label,
                reason=reason[:500], at=at,
            )  # fmt: skip
        if changes:
            changes["updated_at"] = timezone.now()
            Parcel.objects.filter(pk=locked.pk).update(**changes)
            for name, value in changes.items():
                setattr(locked, name, value)
                setattr(parcel, name, value)
    return locked


def parcel_tracking_number_set(*, parcel: Parcel, tracking_number: str, actor, reason: str = "") -> Parcel:
    """Give a parcel the barcode the post assigned and mark it registered (if it was only created).

    The number is validated (S10 or ШПИ check digit); raises django ValidationError for a bad one and
    TrackingNumberTaken if another parcel has it. Setting the same number again is a no-op.
    """
    number = tracking_number_parse(tracking_number).number
    try:
        with transaction.atomic():
            locked = Parcel.objects.select_for_update(no_key=True).get(pk=parcel.pk)
            if locked.tracking_number != number:
                Parcel.objects.filter(pk=locked.pk).update(tracking_number=number, updated_at=timezone.now())
                locked.tracking_number = parcel.tracking_number = number
            if locked.status == ParcelStatus.CREATED:
                locked = parcel_status_change(
                    parcel=locked, to=ParcelStatus.REGISTERED, actor=actor, reason=reason or number
                )
                parcel.status, parcel.status_changed_at = locked.status, locked.status_changed_at
    except IntegrityError as exc:
        raise TrackingNumberTaken(number) from exc
    return locked
