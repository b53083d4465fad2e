"""Dispatches: parcels handed to the post together, with one customs manifest."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from ..exceptions import DispatchHandedOver, DispatchMixedOrigins, DispatchNotReady
from ..models import Dispatch, Parcel, ParcelStatus
from .parcels import actor_parts

log = logging.getLogger("logistics")

DISPATCHABLE = (ParcelStatus.CREATED, ParcelStatus.REGISTERED)


def dispatch_create(*, parcel_ids: Iterable[int], actor, name: str = "") -> Dispatch:
    """Group parcels (same origin, not yet with the post, in no other dispatch) into a new dispatch.

    Parcels that do not qualify are left out; raises DispatchMixedOrigins when the rest come from several origins.
    """
    with transaction.atomic(durable=True):
        parcels = list(
            Parcel.objects.select_for_update(no_key=True)
            .filter(pk__in=list(parcel_ids), status__in=DISPATCHABLE, dispatch__isnull=True)
            .order_by("id")
        )
        origins = {p.origin for p in parcels}
        if len(origins) != 1:
            raise DispatchMixedOrigins()
        dispatch = Dispatch.objects.create(
            origin=origins.pop(), name=name or f"{timezone.localdate():%Y-%m-%d} ({len(parcels)})"
        )
        Parcel.objects.filter(pk__in=[p.pk for p in parcels]).update(dispatch=dispatch, updated_at=timezone.now())
    log.info("dispatch made", extra={"dispatch": dispatch.pk, "parcels": len(parcels), "actor": _who(actor)})
    return dispatch


def dispatch_parcels_add(*, dispatch: Dispatch, parcel_ids: Iterable[int], actor) -> int:
    """Add parcels to a dispatch not yet handed to the post: those of its origin, not yet with the post and in no
    other dispatch (the others are left out). Returns how many were added; raises DispatchHandedOver."""
    with transaction.atomic(durable=True):
        locked = Dispatch.objects.select_for_update(no_key=True).get(pk=dispatch.pk)
        if locked.handed_over_at is not None:
            raise DispatchHandedOver()
        ids = list(
            Parcel.objects.select_for_update(no_key=True)
            .filter(pk__in=list(parcel_ids), status__in=DISPATCHABLE, dispatch__isnull=True, origin=locked.origin)
            .order_by("id")
            .values_list("pk", flat=True)
        )
        Parcel.objects.filter(pk__in=ids).update(dispatch=locked, updated_at=timezone.now())
    log.info("parcels added to a dispatch", extra={"dispatch": locked.pk, "parcels": len(ids), "actor": _who(actor)})
    return len(ids)


def dispatch_hand_over(*, dispatch: Dispatch, actor, at=None) -> Dispatch:
    """Record that the dispatch left our warehouse with the post. Every parcel in it must be registered with the
    post (have its tracking number): raises DispatchNotReady otherwise. Handing over twice changes nothing."""
    with transaction.atomic(durable=True):
        locked = Dispatch.objects.select_for_update(no_key=True).get(pk=dispatch.pk)
        if locked.handed_over_at is None:
            parcels = Parcel.objects.filter(dispatch=locked).exclude(status=ParcelStatus.CANCELLED)
            if not parcels.exists():
                raise DispatchNotReady(empty=True)
            unregistered = parcels.filter(tracking_number="").count()
            if unregistered:
                raise DispatchNotReady(unregistered=unregistered)
            locked.handed_over_at = at or timezone.now()
            Dispatch.objects.filter(pk=locked.pk).update(handed_over_at=locked.handed_over_at)
            log.info("dispatch handed over", extra={"dispatch": locked.pk, "actor": _who(actor)})
    dispatch.handed_over_at = locked.handed_over_at
    return locked


def _who(actor) -> str:
    user, label = actor_parts(actor)
    return f"{label}:{user.pk}" if user is not None else label
