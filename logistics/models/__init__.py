"""Logistics tables, one module per area; import them from here (`from logistics.models import Parcel`)."""

from .delivery import (  # noqa: F401
    ContentsType,
    CustomsDeclaration,
    CustomsDeclarationLine,
    OrderDelivery,
    PickupKind,
    PickupPoint,
)
from .parcels import (  # noqa: F401
    ACCEPTED_BY_POST,
    ACTIVE_STATUSES,
    ALLOWED_TRANSITIONS,
    FINAL_STATUSES,
    Dispatch,
    Parcel,
    ParcelLine,
    ParcelStatus,
    ParcelStatusChange,
)
from .regions import FederalDistrict, Region, RussiaPart  # noqa: F401
from .rules import (  # noqa: F401
    CustomsRule,
    DeliveryMethod,
    DeliveryTariff,
    DispatchCutoff,
    DutyBase,
    PromiseRule,
)
