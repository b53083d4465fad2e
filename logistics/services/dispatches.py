"""Dispatches: parcels handed to the post together, with one customs manifest."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from ..exceptions import DispatchMixedOrigins
from ..models import Dispatch, Parcel, ParcelStatus

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
    return dispatch
