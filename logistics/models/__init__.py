"""Logistics tables, one module per area; import them from here (`from logistics.models import Parcel`)."""

from .parcels import (  # noqa: F401
    ACTIVE_STATUSES,
    ALLOWED_TRANSITIONS,
    FINAL_STATUSES,
    Dispatch,
    Parcel,
    ParcelLine,
    ParcelStatus,
    ParcelStatusChange,
)
