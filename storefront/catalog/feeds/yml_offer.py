"""One YML offer judged on its own: every field checked, every problem named with its line; nothing written."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.html import strip_tags

from .yml import YmlOffer

ID_RE = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
PRICE_RE = re.compile(r"^\d{1,10}(?:\.\d{1,2})?$")
WEIGHT_RE = re.compile(r"^\d{1,4}(?:[.,]\d{1,4})?$")
COUNT_RE = re.compile(r"^\d{1,9}$")
URL_RE = re.compile(r"^https?://\S{3,490}$")
CURRENCY_ALIASES = {"RUR": "RUB"}
ORIGIN_BY_CURRENCY = {"CNY": "CN", "EUR": "EU", "RUB": "RU"}
# Params that tell the variants of one group apart; the others describe the product.
OPTION_PARAMS = {
    "размер", "размер обуви", "рост", "цвет", "память", "объём памяти", "объем памяти", "встроенная память",
    "накопитель", "объём", "объем", "вес", "диаметр", "длина", "комплектация",
}  # fmt: skip
# Country names as Russian feeds write them -> ISO 3166 alpha-2 (lower case, ё folded to е).
COUNTRIES = {
    "китай": "CN", "кнр": "CN", "россия": "RU", "российская федерация": "RU", "рф": "RU", "германия": "DE",
    "италия": "IT", "франция": "FR", "польша": "PL", "испания": "ES", "чехия": "CZ", "нидерланды": "NL",
    "турция": "TR", "вьетнам": "VN", "индия": "IN", "южная корея": "KR", "корея": "KR", "япония": "JP",
    "сша": "US", "беларусь": "BY", "белоруссия": "BY", "казахстан": "KZ", "тайвань": "TW", "таиланд": "TH",
    "индонезия": "ID", "малайзия": "MY", "бангладеш": "BD", "узбекистан": "UZ", "великобритания": "GB",
    "швеция": "SE", "финляндия": "FI", "португалия": "PT", "австрия": "AT", "бельгия": "BE", "швейцария": "CH",
    "дания": "DK", "румыния": "RO", "венгрия": "HU", "литва": "LT", "латвия": "LV", "эстония": "EE",
    "армения": "AM", "киргизия": "KG", "кыргызстан": "KG", "пакистан": "PK", "камбоджа": "KH", "мексика": "MX",
    "бразилия": "BR", "канада": "CA", "израиль": "IL", "гонконг": "HK", "сингапур": "SG", "филиппины": "PH",
    "шри-ланка": "LK", "египет": "EG", "словакия": "SK", "словения": "SI", "болгария": "BG", "греция": "GR",
    "сербия": "RS", "ирландия": "IE", "норвегия": "NO",
}  # fmt: skip


def country_code(text: str) -> str | None:
    """ "Китай" -> "CN"; an ISO code passes through; None when unknown."""
    key = text.strip().lower().replace("ё", "е")
    if re.fullmatch(r"[a-z]{2}", key):
        return key.upper()
    return COUNTRIES.get(key)


@dataclass
class OfferRow:
    """A validated offer, ready to write."""

    offer_id: str
    line: int
    group_id: str
    title: str
    description: str
    price: Decimal
    currency: str
    category_id: int
    vendor: str
    attributes: dict[str, str]
    options: dict[str, str]
    pictures: list[str]
    stock: int
    weight_grams: int | None
    country: str | None
    origin: str

    @property
    def product_key(self) -> str:
        return f"group:{self.group_id}" if self.group_id else self.offer_id


@dataclass
class OfferContext:
    """What offers are judged against: the feed's header, the ids seen so far, the run's options."""

    currencies: set[str] = field(default_factory=set)
    categories: dict[str, int] = field(default_factory=dict)  # feed id -> our category id
    seen: dict[str, int] = field(default_factory=dict)  # offer id -> line
    origin: str | None = None
    available_stock: int = 100


@dataclass
class OfferCheck:
    row: OfferRow | None
    reasons: list[str]
    warnings: list[str]


def _plain(html: str) -> str:
    """Feed descriptions are often HTML (in CDATA): keep the text, one space between words."""
    return " ".join((strip_tags(html) if "<" in html else html).split())


def offer_clean(offer: YmlOffer, ctx: OfferContext) -> OfferCheck:
    """Judge one offer completely: a row to write, or every reason it is refused; warnings either way."""
    f, reasons, warnings = offer.fields, [], []

    def at(name: str) -> str:
        line = offer.lines.get(name)
        return f" (строка {line})" if line and line != offer.line else ""

    if not ID_RE.match(offer.id):
        reasons.append(f"id «{offer.id}» — нужны латинские буквы, цифры, точка, дефис или _, до 64 знаков")
    elif offer.id in ctx.seen:
        reasons.append(f"id «{offer.id}» уже был в строке {ctx.seen[offer.id]}")
    else:
        ctx.seen[offer.id] = offer.line
    group_id = offer.attrs.get("group_id", "").strip()
    if group_id and not ID_RE.match(group_id):
        reasons.append(f"group_id «{group_id}» — нужны латинские буквы и цифры, до 64 знаков")
    title = f.get("name") or " ".join(filter(None, [f.get("typePrefix"), f.get("vendor"), f.get("model")]))
    title = " ".join(title.split())
    if not title:
        reasons.append("нет названия (<name> или <model>)")
    elif len(title) > 255:
        reasons.append(f"<name>{at('name')} длиннее 255 знаков")
    price_text = f.get("price", "")
    if not PRICE_RE.match(price_text) or Decimal(price_text) <= 0:
        reasons.append(f"<price>{at('price')} «{price_text}» — нужна цена больше нуля, например 1299.50")
    raw_currency = f.get("currencyId", "")
    currency = CURRENCY_ALIASES.get(raw_currency.upper(), raw_currency.upper())
    if currency not in ctx.currencies:
        known = ", ".join(sorted(ctx.currencies)) or "нет ни одной"
        reasons.append(f"<currencyId>{at('currencyId')} «{raw_currency}» — не объявлена в <currencies> ({known})")
    category_ext = f.get("categoryId", "")
    if category_ext not in ctx.categories:
        reasons.append(f"<categoryId>{at('categoryId')} «{category_ext}» — нет такой категории в <categories>")
    vendor = f.get("vendor", "")
    if len(vendor) > 120:
        reasons.append(f"<vendor>{at('vendor')} длиннее 120 знаков")
    weight_grams = None
    if "weight" in f:
        weight = f["weight"]
        if WEIGHT_RE.match(weight) and Decimal(weight.replace(",", ".")) > 0:
            weight_grams = math.ceil(Decimal(weight.replace(",", ".")) * 1000)
        else:
            reasons.append(f"<weight>{at('weight')} «{weight}» — нужен вес в кг больше нуля, например 0.35")
    count_text = f.get("count")
    if count_text is not None and not COUNT_RE.match(count_text):
        reasons.append(f"<count>{at('count')} «{count_text}» — нужно целое число не меньше нуля")
    available = offer.attrs.get("available", "true").strip().lower()
    if available not in ("true", "false"):
        reasons.append(f"available=«{available}» — нужно true или false")
    attributes, options = {}, {}
    for name, unit, value, line in offer.params:
        if not name or not value:
            reasons.append(f"<param> в строке {line} без имени или значения")
            continue
        text = f"{value} {unit}".strip()[:200]
        if group_id and name.lower() in OPTION_PARAMS:
            options[name[:60]] = text
        else:
            attributes[name[:60]] = text
    if reasons:
        return OfferCheck(None, reasons, warnings)
    country = None
    if f.get("country_of_origin"):
        country = country_code(f["country_of_origin"])
        if country is None:
            warnings.append(f"страна «{f['country_of_origin']}»{at('country_of_origin')} не распознана")
    pictures = []
    for url in dict.fromkeys(offer.pictures):
        if URL_RE.match(url):
            pictures.append(url)
        else:
            warnings.append(f"<picture> «{url[:80]}» — не адрес http(s), пропущена")
    if count_text is not None:
        stock = int(count_text) if available == "true" else 0
    else:
        stock = ctx.available_stock if available == "true" else 0
    row = OfferRow(
        offer_id=offer.id,
        line=offer.line,
        group_id=group_id,
        title=title,
        description=_plain(f.get("description", "")),
        price=Decimal(price_text).quantize(Decimal("0.01")),
        currency=currency,
        category_id=ctx.categories[category_ext],
        vendor=vendor,
        attributes=attributes,
        options=options,
        pictures=pictures,
        stock=stock,
        weight_grams=weight_grams,
        country=country,
        origin=ctx.origin or ORIGIN_BY_CURRENCY[currency],
    )
    return OfferCheck(row, [], warnings)
