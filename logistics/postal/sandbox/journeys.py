"""How parcels move in the sandbox: realistic operation sequences (DOMAIN.md 1) per origin and scenario.

A parcel's whole journey is a pure function of its barcode, origin kind, scenario, destination index, start time
and COD amount: nothing is stored per event, a ticket's answer is recomputed the same way every time. Delays
get a deterministic jitter from the barcode so that 100,000 parcels do not all move in the same second.

Origins (kinds): "china" (direct from China by air), "eu" (EU customs warehouse, by truck through Latvia),
"domestic" (the Russian warehouse). Scenarios: "normal" (delivered), "lost" (5.1), "returned" (storage expired,
3.1, back to the sender, 2.2), "customs_held" (24.1055 CN23 incorrect, 14.6 duties to pay, paid, released),
"cod_refused" (12.6 refused at the counter, 3.4 return), "nodata" (the partner never hears of it: error 12).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from logistics.postal.timezones import zone_for_index

from .barcodes import serial_of

HOUR = 3600.0
DAY = 24 * HOUR
STORAGE_DAYS = 30  # how long an office keeps a parcel before sending it back (sandbox rule)
KINDS = ("china", "eu", "domestic")
SCENARIOS = ("normal", "lost", "returned", "customs_held", "cod_refused", "nodata")

# serial % 100 -> scenario, for barcodes nobody set a scenario for (documented in the sandbox README/tests)
_BY_SERIAL = (
    (range(0, 85), "normal"),
    (range(85, 86), "lost"),
    (range(86, 90), "returned"),
    (range(90, 94), "customs_held"),
    (range(94, 98), "cod_refused"),
    (range(98, 100), "nodata"),
)

OPER_TYPES = {
    1: ("Приём", "Acceptance"),
    2: ("Вручение", "Delivery"),
    3: ("Возврат", "Return"),
    5: ("Невручение", "Non-delivery"),
    8: ("Обработка", "Processing"),
    9: ("Импорт международной почты", "Import of international mail"),
    10: ("Экспорт международной почты", "Export of international mail"),
    11: ("Приём на таможню", "Customs acceptance"),
    12: ("Неудачная попытка вручения", "Unsuccessful delivery attempt"),
    14: ("Таможенное оформление", "Customs clearance"),
    19: ("Таможенные платежи поступили", "Customs duties received"),
    24: ("Продление срока выпуска таможней", "Customs release extended"),
}
OPER_ATTRS = {
    (1, 1): ("Единичный", "Single"),
    (2, 1): ("Вручение адресату", "Delivered to addressee"),
    (2, 2): ("Вручение отправителю", "Delivered to sender"),
    (3, 1): ("Истёк срок хранения", "Storage period expired"),
    (3, 4): ("Отказ адресата", "Refused by addressee"),
    (5, 1): ("Утрачено", "Lost"),
    (8, 1): ("Покинуло место приёма", "Left the place of acceptance"),
    (8, 2): ("Прибыло в место вручения", "Arrived at the delivery office"),
    (8, 3): ("Прибыло в сортировочный центр", "Arrived at the sorting centre"),
    (8, 4): ("Покинуло сортировочный центр", "Left the sorting centre"),
    (8, 5): ("Прибыло в место международного обмена", "Arrived at the office of exchange"),
    (8, 6): ("Покинуло место международного обмена", "Left the office of exchange"),
    (8, 13): ("Прибыло на территорию РФ", "Arrived in Russia"),
    (12, 6): ("Отказ от получения", "Refused"),
    (14, 1): ("Выпущено таможней", "Released by customs"),
    (14, 6): ("С обязательной уплатой таможенных платежей", "Customs duties to be paid"),
    (14, 13): ("Выпуск разрешён, платежи уплачены", "Released, duties paid"),
    (24, 1055): ("CN 22/23 некорректна", "CN 22/23 incorrect"),
}
COUNTRIES = {  # alpha-2: (numeric id, alpha-3, Russian name, English name, zone)
    "RU": (643, "RUS", "Российская Федерация", "Russian Federation", None),
    "CN": (156, "CHN", "Китай", "China", "Asia/Shanghai"),
    "LV": (428, "LVA", "Латвия", "Latvia", "Europe/Riga"),
}


@dataclass(frozen=True)
class Place:
    index: str  # "" abroad (the partner sends no index for operations outside Russia)
    description: str
    country: str = "RU"

    def zone(self) -> ZoneInfo:
        if self.country == "RU":
            return zone_for_index(self.index)
        return ZoneInfo(COUNTRIES[self.country][4])


@dataclass(frozen=True)
class Op:
    type: int
    attr: int
    at: float  # sandbox epoch seconds
    place: Place

    def local(self) -> datetime:
        return datetime.fromtimestamp(self.at, UTC).astimezone(self.place.zone())

    def type_name(self, lang: str = "RUS") -> str:
        names = OPER_TYPES.get(self.type, ("Операция", "Operation"))
        return names[1] if lang == "ENG" else names[0]

    def attr_name(self, lang: str = "RUS") -> str:
        names = OPER_ATTRS.get((self.type, self.attr))
        if names is None:
            return ""
        return names[1] if lang == "ENG" else names[0]


@dataclass(frozen=True)
class ParcelSpec:
    barcode: str
    kind: str
    scenario: str
    start: float
    index_to: str = "101000"
    cod_kopecks: int = 0
    value_kopecks: int = 0
    mass: int = 500
    recipient: str = ""


CN_ORIGIN = Place("", "Шэньчжэнь", "CN")
CN_EXCHANGE = Place("", "Гуанчжоу ММПО", "CN")
EU_ORIGIN = Place("", "Рига, таможенный склад", "LV")
EU_EXCHANGE = Place("", "Рига ММПО", "LV")
RU_WAREHOUSE = Place("142300", "Чехов")
MOSCOW_EXCHANGE = Place("102976", "ММПО Москва")
MOSCOW_SORTING = Place("140980", "Московский АСЦ")
MOSCOW_REGION = range(101, 145)  # Moscow and its oblast: no regional sorting centre on the way


def scenario_for(barcode: str) -> str:
    n = serial_of(barcode) % 100
    return next(name for span, name in _BY_SERIAL if n in span)


def kind_for(barcode: str) -> str:
    """Origin guessed from a barcode nobody registered: S10 from China or Hong Kong, Russian, or the EU."""
    if len(barcode) == 14 or barcode.endswith("RU"):
        return "domestic"
    if barcode.endswith(("CN", "HK")):
        return "china"
    return "eu"


def _far_east(index: str) -> bool:
    """Asian part of Russia (DOMAIN.md 7 heuristic): longer trunk haul."""
    prefix = int(index[:3]) if index[:3].isdigit() else 0
    return 620 <= prefix <= 699 or 454 <= prefix <= 457


def journey(spec: ParcelSpec) -> list[Op]:
    """Every operation the parcel will ever have, in time order."""
    if spec.scenario == "nodata":
        return []
    rng = random.Random(spec.barcode)
    t = spec.start
    ops: list[Op] = []

    def step(hours: float, type_: int, attr: int, place: Place) -> None:
        nonlocal t
        t += hours * HOUR * rng.uniform(0.8, 1.2)
        ops.append(Op(type_, attr, round(t / 60) * 60.0, place))  # the partner reports whole minutes

    office = Place(spec.index_to, f"Отделение почтовой связи {spec.index_to}")
    prefix = int(spec.index_to[:3]) if spec.index_to[:3].isdigit() else 101
    regional = None if prefix in MOSCOW_REGION else Place(f"{spec.index_to[:3]}960", f"СЦ {spec.index_to[:3]}960")
    cross_border = spec.kind in ("china", "eu")

    # --- first mile and, for cross-border parcels, export, flight/truck and Russian customs
    if spec.kind == "china":
        step(0, 1, 1, CN_ORIGIN)
        step(14, 8, 5, CN_EXCHANGE)
        step(18, 10, 0, CN_EXCHANGE)
        step(8, 8, 6, CN_EXCHANGE)
        step(50, 8, 13, MOSCOW_EXCHANGE)
    elif spec.kind == "eu":
        step(0, 1, 1, EU_ORIGIN)
        step(6, 8, 5, EU_EXCHANGE)
        step(10, 10, 0, EU_EXCHANGE)
        step(4, 8, 6, EU_EXCHANGE)
        step(30, 8, 13, MOSCOW_EXCHANGE)
    else:
        step(0, 1, 1, RU_WAREHOUSE)
        step(4, 8, 1, RU_WAREHOUSE)
    if cross_border:
        step(2, 9, 0, MOSCOW_EXCHANGE)
        step(3, 11, 0, MOSCOW_EXCHANGE)
        if spec.scenario == "customs_held":
            step(20, 24, 1055, MOSCOW_EXCHANGE)
            step(30, 14, 6, MOSCOW_EXCHANGE)
            step(72, 19, 0, MOSCOW_EXCHANGE)
            step(6, 14, 13, MOSCOW_EXCHANGE)
        else:
            step(18 if spec.kind == "china" else 12, 14, 1, MOSCOW_EXCHANGE)
        step(6, 8, 6, MOSCOW_EXCHANGE)

    # --- sorting and trunk haul to the delivery office
    step(10, 8, 3, MOSCOW_SORTING)
    if spec.scenario == "lost":
        step(10 * 24, 5, 1, MOSCOW_SORTING)
        return ops
    step(6, 8, 4, MOSCOW_SORTING)
    if regional:
        step(30 + (72 if _far_east(spec.index_to) else 0), 8, 3, regional)
        step(8, 8, 4, regional)
    step(20, 8, 2, office)

    # --- the last metre
    if spec.scenario == "returned":
        step(STORAGE_DAYS * 24, 3, 1, office)
    elif spec.scenario == "cod_refused":
        step(26, 12, 6, office)
        step(1, 3, 4, office)
    else:
        step(30, 2, 1, office)
        return ops

    # --- back to the sender
    if regional:
        step(30, 8, 3, regional)
        step(6, 8, 4, regional)
    step(24, 8, 3, MOSCOW_SORTING)
    if cross_border:
        step(24, 8, 5, MOSCOW_EXCHANGE)
        step(24, 10, 0, MOSCOW_EXCHANGE)
        step(6, 8, 6, MOSCOW_EXCHANGE)
        step(96, 2, 2, CN_EXCHANGE if spec.kind == "china" else EU_EXCHANGE)
    else:
        step(24, 8, 2, RU_WAREHOUSE)
        step(24, 2, 2, RU_WAREHOUSE)
    return ops


def operations_until(spec: ParcelSpec, until: float) -> list[Op]:
    return [op for op in journey(spec) if op.at <= until]


@dataclass(frozen=True)
class CodEvent:
    number: str
    event_type: int
    name: str
    at: float
    index_event: str
    index_to: str
    kopecks: int


def cod_events_until(spec: ParcelSpec, until: float) -> list[CodEvent]:
    """Money-order events of a COD parcel handed to the shopper: 1 «Приём» at the counter, 3 «Оплата» to us."""
    if spec.cod_kopecks <= 0:
        return []
    delivered = next((op for op in journey(spec) if (op.type, op.attr) == (2, 1)), None)
    if delivered is None:
        return []
    number = str(10000 + serial_of(spec.barcode) % 90000)
    sender_index = RU_WAREHOUSE.index
    events = [
        CodEvent(number, 1, "Приём", delivered.at, spec.index_to, sender_index, spec.cod_kopecks),
        CodEvent(number, 3, "Оплата", delivered.at + 2 * DAY, sender_index, sender_index, spec.cod_kopecks),
    ]
    return [e for e in events if e.at <= until]
