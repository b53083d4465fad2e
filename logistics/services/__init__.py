"""Logistics writes, one module per area; import them from here (`from logistics.services import ...`)."""

from .dispatches import dispatch_create, dispatch_hand_over, dispatch_parcels_add  # noqa: F401
from .parcels import SYSTEM, actor_parts, parcel_status_change, parcel_tracking_number_set  # noqa: F401
from .pickups import PickupImportResult, pickup_points_import  # noqa: F401
from .placement import (  # noqa: F401
    order_delivery_placing,
    order_delivery_record,
    parcels_cancel_for_order,
    parcels_create_for_order,
    parcels_sync,
)
