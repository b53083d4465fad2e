"""What shoppers read about where a product ships from: the one place for these texts.

Logistics refines the real promise per region (the #delivery-promise block on the product page); until then the
listing filter, the card tag and the product page all take their words from here.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .models import Origin


@dataclass(frozen=True)
class OriginText:
    tag: Promise  # short, on a product card
    label: Promise  # filter option: where from and how long
    promise: Promise  # product page, before logistics computes the real date


ORIGIN_TEXTS: dict[str, OriginText] = {
    Origin.CHINA: OriginText(
        tag=_("Из Китая"),
        label=_("из Китая 7–20 дней"),
        promise=_("Из Китая: 7–10 дней до центральной России, до 20 дней в остальные регионы."),
    ),
    Origin.EU: OriginText(
        tag=_("Склад в ЕС"),
        label=_("со склада в ЕС до 2 недель"),
        promise=_("Со склада в ЕС: до недели в европейскую часть России, до двух недель в азиатскую."),
    ),
    Origin.RUSSIA: OriginText(
        tag=_("Из России"),
        label=_("из России 1–3 дня"),
        promise=_("Со склада в России: 1–3 дня."),
    ),
}


def origin_text(origin: str) -> OriginText | None:
    return ORIGIN_TEXTS.get(origin)


def origin_filter_choices() -> list[tuple[str, Promise]]:
    return [(code, text.label) for code, text in ORIGIN_TEXTS.items()]
