"""What the partner's operation codes (OperType + OperAttr, DOMAIN.md 1) mean for the shopper and for the parcel.

The partner's list is open-ended (new attributes appear; AdvantShop lists up to 8.49 and 14.26): a code is looked
up as (type, attr), then as the whole type, and anything still unknown is stored raw, shown with the partner's
own name and a neutral label, and never moves the parcel. Final operations per LAPAY isFinal(): 2.*, 5.1, 5.2,
15–18.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

from logistics.models import ParcelStatus


class Stage(models.TextChoices):
    """The steps a shopper sees on the tracking page, in journey order."""

    ACCEPTED = "accepted", _("Принята к отправке")
    EXPORT = "export", _("Экспорт из страны отправления")
    INTERNATIONAL = "international", _("В пути между странами")
    ARRIVED_RUSSIA = "arrived_russia", _("Прибыла в Россию")
    CUSTOMS = "customs", _("Таможенное оформление")
    CUSTOMS_HELD = "customs_held", _("Задержана на таможне")
    CUSTOMS_CLEARED = "customs_cleared", _("Выпущена таможней")
    SORTING = "sorting", _("В пути по России")
    AT_OFFICE = "at_office", _("Прибыла в отделение")
    DELIVERY_FAILED = "delivery_failed", _("Неудачная попытка вручения")
    DELIVERED = "delivered", _("Вручена")
    RETURNING = "returning", _("Возвращается отправителю")
    RETURNED = "returned", _("Вручена отправителю")
    LOST = "lost", _("Утрачена")
    OTHER = "other", _("Обработка на почте")


@dataclass(frozen=True)
class Code:
    stage: Stage
    label: str  # lazy Russian text for the timeline
    status: str | None  # the parcel status this operation puts it in; None: no change
    final: bool = False


_S, _P = Stage, ParcelStatus


def _c(stage: Stage, label, status: str | None, final: bool = False) -> Code:
    return Code(stage, label, status, final)


# (type, attr): exact operation. Abroad/at home variants of 8.5/8.6 are told apart by the event's country.
EXACT: dict[tuple[int, int], Code] = {
    (1, 1): _c(_S.ACCEPTED, _("Принята почтой"), _P.IN_TRANSIT),
    (8, 0): _c(_S.SORTING, _("Сортировка"), _P.IN_TRANSIT),
    (8, 1): _c(_S.SORTING, _("Покинула место приёма"), _P.IN_TRANSIT),
    (8, 2): _c(_S.AT_OFFICE, _("Прибыла в отделение — можно забирать"), _P.ARRIVED),
    (8, 3): _c(_S.SORTING, _("Прибыла в сортировочный центр"), _P.IN_TRANSIT),
    (8, 4): _c(_S.SORTING, _("Покинула сортировочный центр"), _P.IN_TRANSIT),
    (8, 5): _c(_S.INTERNATIONAL, _("Прибыла в место международного обмена"), _P.IN_TRANSIT),
    (8, 6): _c(_S.INTERNATIONAL, _("Покинула место международного обмена"), _P.IN_TRANSIT),
    (8, 9): _c(_S.AT_OFFICE, _("Прибыла в почтомат — можно забирать"), _P.ARRIVED),
    (8, 13): _c(_S.ARRIVED_RUSSIA, _("Прибыла на территорию России"), _P.IN_TRANSIT),
    (8, 15): _c(_S.SORTING, _("Передана курьеру"), _P.IN_TRANSIT),
    (8, 24): _c(_S.AT_OFFICE, _("Направлено извещение"), _P.ARRIVED),
    (2, 2): _c(_S.RETURNED, _("Вручена отправителю"), _P.RETURNED, final=True),
    (3, 1): _c(_S.RETURNING, _("Возврат: истёк срок хранения"), _P.RETURNING),
    (3, 2): _c(_S.RETURNING, _("Возврат по заявлению отправителя"), _P.RETURNING),
    (3, 4): _c(_S.RETURNING, _("Возврат: отказ получателя"), _P.RETURNING),
    (3, 7): _c(_S.RETURNING, _("Возврат: таможня отказала в выпуске"), _P.RETURNING),
    (5, 1): _c(_S.LOST, _("Утрачена"), _P.LOST, final=True),
    (5, 2): _c(_S.LOST, _("Изъята"), _P.LOST, final=True),
    (5, 8): _c(_S.CUSTOMS_HELD, _("Не вручена по решению таможни"), _P.CUSTOMS),
    (12, 6): _c(_S.DELIVERY_FAILED, _("Получатель отказался от посылки"), _P.ARRIVED),
    (14, 1): _c(_S.CUSTOMS_CLEARED, _("Выпущена таможней"), _P.IN_TRANSIT),
    (14, 2): _c(_S.CUSTOMS_HELD, _("Возвращена таможней"), _P.CUSTOMS),
    (14, 3): _c(_S.CUSTOMS, _("Осмотрена таможней"), _P.CUSTOMS),
    (14, 4): _c(_S.CUSTOMS_HELD, _("Таможня отказала в выпуске"), _P.CUSTOMS),
    (14, 5): _c(_S.CUSTOMS, _("Выпущена с таможенным уведомлением"), _P.CUSTOMS),
    (14, 6): _c(_S.CUSTOMS_HELD, _("Нужно уплатить таможенную пошлину"), _P.CUSTOMS),
    (14, 13): _c(_S.CUSTOMS_CLEARED, _("Выпущена таможней, пошлина уплачена"), _P.IN_TRANSIT),
}
# Whole types (any attribute not listed above).
BY_TYPE: dict[int, Code] = {
    1: _c(_S.ACCEPTED, _("Принята почтой"), _P.IN_TRANSIT),
    2: _c(_S.DELIVERED, _("Вручена"), _P.DELIVERED, final=True),
    3: _c(_S.RETURNING, _("Возвращается отправителю"), _P.RETURNING),
    4: _c(_S.SORTING, _("Досылается по новому адресу"), _P.IN_TRANSIT),
    5: _c(_S.OTHER, _("Не вручена"), None),
    6: _c(_S.AT_OFFICE, _("Хранится в отделении"), _P.ARRIVED),
    7: _c(_S.AT_OFFICE, _("Временное хранение"), _P.ARRIVED),
    8: _c(_S.SORTING, _("Обработка"), _P.IN_TRANSIT),
    9: _c(_S.ARRIVED_RUSSIA, _("Импорт в Россию"), _P.IN_TRANSIT),
    10: _c(_S.EXPORT, _("Экспорт из страны отправления"), _P.IN_TRANSIT),
    11: _c(_S.CUSTOMS, _("Принята на таможню"), _P.CUSTOMS),
    12: _c(_S.DELIVERY_FAILED, _("Неудачная попытка вручения"), _P.ARRIVED),
    13: _c(_S.OTHER, _("Отправление зарегистрировано"), None),
    14: _c(_S.CUSTOMS, _("Таможенное оформление"), _P.CUSTOMS),
    15: _c(_S.LOST, _("Передана на временное хранение"), _P.LOST, final=True),
    16: _c(_S.LOST, _("Уничтожена"), _P.LOST, final=True),
    17: _c(_S.LOST, _("Оформлена в собственность"), _P.LOST, final=True),
    18: _c(_S.LOST, _("Зарегистрирована утрата"), _P.LOST, final=True),
    19: _c(_S.CUSTOMS, _("Таможенные платежи поступили"), _P.CUSTOMS),
    24: _c(_S.CUSTOMS_HELD, _("Таможня продлила срок выпуска"), _P.CUSTOMS),
    39: _c(_S.CUSTOMS, _("Предварительное таможенное декларирование"), None),
    41: _c(_S.CUSTOMS, _("Обработка таможенных платежей"), _P.CUSTOMS),
    42: _c(_S.DELIVERY_FAILED, _("Вторая неудачная попытка вручения"), _P.ARRIVED),
}
UNKNOWN = _c(_S.OTHER, _("Обработка на почте"), None)
# Stages that notify the shopper (each at most once per parcel; see notify.py).
CUSTOMS_CLEARED = {(14, 1), (14, 13)}


def code_for(oper_type: int, oper_attr: int) -> Code:
    """Meaning of an operation; never raises (unknown codes: neutral, no status change)."""
    return EXACT.get((oper_type, oper_attr)) or BY_TYPE.get(oper_type) or UNKNOWN


def is_known(oper_type: int, oper_attr: int) -> bool:
    return (oper_type, oper_attr) in EXACT or oper_type in BY_TYPE
