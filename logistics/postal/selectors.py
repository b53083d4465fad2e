"""Postal reads: a parcel's journey as the shopper sees it on the tracking page."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from django.utils.translation import gettext_lazy as _

from logistics.models import FINAL_STATUSES, Parcel, ParcelStatus
from storefront.catalog.models import Origin

from .codes import UNKNOWN, Stage, code_for, is_known
from .models import TrackingEvent

# The progress line at the top of the page: (stage reached when any of these stages is seen, label per origin).
_CROSS_BORDER_STEPS = (
    ({Stage.ACCEPTED}, None),  # label depends on the origin, see _first_label
    ({Stage.EXPORT, Stage.INTERNATIONAL}, _("Экспорт и перелёт")),
    ({Stage.ARRIVED_RUSSIA, Stage.CUSTOMS, Stage.CUSTOMS_HELD, Stage.CUSTOMS_CLEARED}, _("Таможня")),
    ({Stage.SORTING}, _("Сортировка")),
    ({Stage.AT_OFFICE, Stage.DELIVERY_FAILED}, _("В отделении")),
    ({Stage.DELIVERED}, _("Вручена")),
)
_DOMESTIC_STEPS = (
    ({Stage.ACCEPTED}, None),
    ({Stage.SORTING, Stage.ARRIVED_RUSSIA}, _("В пути")),
    ({Stage.AT_OFFICE, Stage.DELIVERY_FAILED}, _("В отделении")),
    ({Stage.DELIVERED}, _("Вручена")),
)
_FIRST_LABEL = {
    Origin.CHINA: _("Склад в Китае"),
    Origin.EU: _("Склад в ЕС"),
    Origin.RUSSIA: _("Склад в России"),
}
ORIGIN_COUNTRY = {Origin.CHINA: _("Китай"), Origin.EU: _("Евросоюз")}
COUNTRY_NAMES = {"CN": _("Китай"), "LV": _("Латвия"), "RU": _("Россия"), "DE": _("Германия"), "HK": _("Гонконг")}


@dataclass(frozen=True)
class TimelineEntry:
    occurred_at: datetime
    label: str
    stage: str
    place: str
    partner_name: str  # the partner's own wording, shown for codes we do not know
    known: bool


@dataclass(frozen=True)
class ProgressStep:
    label: str
    state: str  # "done", "current", "todo"


@dataclass
class ParcelTracking:
    number: str
    status: str
    status_label: str
    origin: str
    final: bool
    storage_deadline: date | None
    promised_by: date | None
    delivered_at: datetime | None
    office: str
    timeline: list[TimelineEntry] = field(default_factory=list)
    progress: list[ProgressStep] = field(default_factory=list)
    headline: str = ""


def _place(index: str, raw: dict, origin: str) -> str:
    """Index (and the office's name when the partner gave it); abroad, the country (the origin's when unnamed)."""
    description = raw.get("Description", "")
    if index:
        return f"{index} {description}".strip()
    country = raw.get("CountryOper", "")
    if country:
        return str(COUNTRY_NAMES.get(country, country))
    return str(ORIGIN_COUNTRY.get(origin, ""))


_PAGE_FIELDS = (
    "id",
    "tracking_number",
    "status",
    "origin",
    "storage_deadline",
    "promised_by",
    "delivered_at",
    "postcode",
)


def parcel_tracking_get(*, number: str) -> ParcelTracking | None:
    """The page's data for a normalised tracking number; None when no parcel of ours has it."""
    parcel = Parcel.objects.filter(tracking_number=number).only(*_PAGE_FIELDS).first()
    if parcel is None:
        return None
    events = list(
        TrackingEvent.objects.filter(parcel_id=parcel.pk)
        .order_by("-occurred_at", "-id")
        .values_list("oper_type", "oper_attr", "name", "occurred_at", "index", "raw")
    )
    timeline = []
    office = ""
    for oper_type, oper_attr, name, occurred_at, index, raw in events:
        code = code_for(oper_type, oper_attr)
        known = is_known(oper_type, oper_attr)
        timeline.append(
            TimelineEntry(
                occurred_at=occurred_at,
                label=str(code.label),
                stage=code.stage,
                place=_place(index, raw or {}, parcel.origin),
                partner_name=name if not known or code is UNKNOWN else "",
                known=known,
            )
        )
        if not office and code.stage == Stage.AT_OFFICE and index:
            office = index
    tracking = ParcelTracking(
        number=parcel.tracking_number,
        status=parcel.status,
        status_label=str(ParcelStatus(parcel.status).label),
        origin=parcel.origin,
        final=parcel.status in FINAL_STATUSES,
        storage_deadline=parcel.storage_deadline,
        promised_by=parcel.promised_by,
        delivered_at=parcel.delivered_at,
        office=office or parcel.postcode,
        timeline=timeline,
    )
    tracking.progress = _progress(parcel.origin, {entry.stage for entry in timeline})
    return tracking


def _progress(origin: str, seen: set[str]) -> list[ProgressStep]:
    steps = _DOMESTIC_STEPS if origin == Origin.RUSSIA else _CROSS_BORDER_STEPS
    reached = -1
    for position, (stages, _label) in enumerate(steps):
        if seen & stages:
            reached = position
    result = []
    for position, (_stages, step_label) in enumerate(steps):
        label = step_label or _FIRST_LABEL.get(origin, _("Склад"))
        if position < reached or (position == reached == len(steps) - 1):
            state = "done"
        elif position == reached:
            state = "current"
        else:
            state = "todo"
        result.append(ProgressStep(str(label), state))
    return result
