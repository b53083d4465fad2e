"""Postal reads: a parcel's journey as the shopper sees it on the tracking page."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import F, Value
from django.utils.translation import gettext_lazy as _

from logistics.models import FINAL_STATUSES, Parcel, ParcelStatus, PickupKind, PickupPoint, Region
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


@dataclass(frozen=True)
class Places:
    """Names for the postcodes of a parcel's events: our pickup points by postcode, regions by first three digits."""

    offices: dict[str, str]
    regions: dict[str, str]

    def name(self, index: str, description: str = "") -> str:
        """A pickup point's name, else the partner's name for the place, else the region, else the postcode."""
        return self.offices.get(index) or description or self.regions.get(index[:3]) or index


def places_get(indexes: set[str]) -> Places:
    """Places for `indexes` in one query (pickup points and regions together), however many events there are."""
    indexes = {i for i in indexes if i}
    if not indexes:
        return Places({}, {})
    offices = (
        PickupPoint.objects.filter(postcode__in=indexes)
        .annotate(key=F("postcode"), label=F("name"), extra=F("city"), office=Value(True))
        .values_list("key", "label", "extra", "office")
    )
    regions = (
        Region.objects.filter(prefix__in={i[:3] for i in indexes})
        .annotate(key=F("prefix"), label=F("subject"), extra=Value(""), office=Value(False))
        .values_list("key", "label", "extra", "office")
    )
    found = Places({}, {})
    for key, label, city, office in offices.union(regions, all=True):
        if office:
            title = label or f"{PickupKind.POST_OFFICE.label} {key}"
            found.offices[key] = title if city in title else f"{city}, {title}"
        else:
            found.regions[key] = label
    return found


def _place(index: str, raw: dict, origin: str, places: Places) -> str:
    """Where it happened by name (see Places.name); abroad, the country (the origin's when unnamed)."""
    if index:
        return places.name(index, raw.get("Description", ""))
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
    places = places_get({event[4] for event in events})
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
                place=_place(index, raw or {}, parcel.origin, places),
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
