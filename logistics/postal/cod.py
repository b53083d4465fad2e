"""The one place where tracking tells payments about pay-on-delivery money (payments.cod does the bookkeeping).

Run by the job the sync queues (services.parcels_react) when a COD parcel is delivered (money collected at the
counter) or turned back (refused, or not collected in time). payments.cod is idempotent: a repeat changes nothing.
"""

from __future__ import annotations

import logging
from datetime import datetime

from logistics.models import Parcel
from payments.cod import cod_collected, cod_refused
from payments.exceptions import CodNotFound

log = logging.getLogger("logistics.postal")
COLLECTED = "collected"
REFUSED = "refused"


def parcel_cod_report(*, parcel_id: int, outcome: str, at: str, reason: str = "", actor: str = "postal") -> None:
    parcel = Parcel.objects.select_related("order").get(pk=parcel_id)
    try:
        if outcome == COLLECTED:
            cod_collected(
                amount=parcel.cod_amount,
                order=parcel.order,
                tracking_number=parcel.tracking_number,
                parcel_reference=parcel.reference,
                collected_at=datetime.fromisoformat(at) if at else None,
                actor=actor,
            )
        elif outcome == REFUSED:
            cod_refused(
                reason=reason,
                order=parcel.order,
                tracking_number=parcel.tracking_number,
                parcel_reference=parcel.reference,
                actor=actor,
            )
        else:
            raise ValueError(f"unknown COD outcome {outcome!r}")
    except CodNotFound:
        # a parcel carrying COD for an order payments has no pay-on-delivery payment for: support must look
        log.error("COD parcel without a COD payment", extra={"parcel": parcel.reference, "outcome": outcome})
