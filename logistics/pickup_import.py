"""Reading a pickup-point CSV (ops' file): every row validated at the edge, every bad row named with its line.

Columns (header row, comma or semicolon, UTF-8 with or without BOM):
    postcode, city, address, hours, latitude, longitude   required
    kind (post_office | parcel_centre, or «отделение» / «посылочный центр»), name,
    parcel_window (1/0, да/нет, true/false), is_active (same)   optional
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from decimal import Decimal

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .models import PickupKind

REQUIRED = ("postcode", "city", "address", "hours", "latitude", "longitude")
OPTIONAL = ("kind", "name", "parcel_window", "is_active")
KIND_WORDS = {
    "post_office": PickupKind.POST_OFFICE,
    "отделение": PickupKind.POST_OFFICE,
    "опс": PickupKind.POST_OFFICE,
    "parcel_centre": PickupKind.PARCEL_CENTRE,
    "посылочный центр": PickupKind.PARCEL_CENTRE,
}
TRUE = {"1", "да", "true", "yes", "y", "д", "+"}
FALSE = {"0", "нет", "false", "no", "n", "н", "-", ""}


class YesNoField(forms.Field):
    def __init__(self, *, default: bool, **kwargs):
        self.default = default
        super().__init__(required=False, **kwargs)

    def to_python(self, value):
        text = (value or "").strip().lower()
        if not text:
            return self.default
        if text in TRUE:
            return True
        if text in FALSE:
            return False
        raise forms.ValidationError(_("ожидается да/нет или 1/0, а не «%(value)s»"), params={"value": value})


class PickupRowForm(forms.Form):
    postcode = forms.RegexField(
        regex=r"^[1-9]\d{5}$", error_messages={"invalid": _("индекс — 6 цифр, не с нуля"), "required": _("нет индекса")}
    )
    city = forms.CharField(max_length=120, error_messages={"required": _("нет города")})
    address = forms.CharField(max_length=255, error_messages={"required": _("нет адреса")})
    hours = forms.CharField(max_length=255, error_messages={"required": _("нет часов работы")})
    latitude = forms.DecimalField(
        min_value=Decimal(-90),
        max_value=Decimal(90),
        max_digits=9,
        decimal_places=6,
        error_messages={"invalid": _("широта — число, например 55.7558"), "required": _("нет широты")},
    )
    longitude = forms.DecimalField(
        min_value=Decimal(-180),
        max_value=Decimal(180),
        max_digits=9,
        decimal_places=6,
        error_messages={"invalid": _("долгота — число, например 37.6176"), "required": _("нет долготы")},
    )
    kind = forms.CharField(required=False)
    name = forms.CharField(required=False, max_length=150)
    parcel_window = YesNoField(default=False)
    is_active = YesNoField(default=True)

    def clean_kind(self) -> str:
        text = (self.cleaned_data.get("kind") or "").strip().lower()
        if not text:
            return PickupKind.POST_OFFICE
        if text not in KIND_WORDS:
            raise forms.ValidationError(
                _("тип «%(value)s» неизвестен: post_office или parcel_centre"), params={"value": text}
            )
        return KIND_WORDS[text]

    def field_errors(self) -> str:
        return "; ".join(f"{name}: {' '.join(errs)}" for name, errs in self.errors.items())


@dataclass
class ParsedFile:
    rows: list[tuple[int, dict]] = field(default_factory=list)  # (line number, cleaned row)
    errors: list[tuple[int, str]] = field(default_factory=list)  # (line number, why); line 0 = the whole file


def _point_fields(cleaned: dict) -> dict:
    return {
        "postcode": cleaned["postcode"],
        "kind": cleaned["kind"],
        "name": cleaned["name"].strip(),
        "city": cleaned["city"].strip(),
        "address": cleaned["address"].strip(),
        "hours": cleaned["hours"].strip(),
        "latitude": cleaned["latitude"],
        "longitude": cleaned["longitude"],
        "has_parcel_window": cleaned["parcel_window"],
        "is_active": cleaned["is_active"],
    }


def pickup_csv_parse(data: bytes) -> ParsedFile:
    """Parse and validate the whole file; nothing is written here."""
    result = ParsedFile()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        result.errors.append((0, gettext("файл не в кодировке UTF-8 (байт %(pos)d)") % {"pos": exc.start}))
        return result
    sample = text[:4096]
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        result.errors.append((1, gettext("в заголовке нет колонок: %(cols)s") % {"cols": ", ".join(missing)}))
        return result
    reader.fieldnames = header
    seen: dict[str, int] = {}
    try:
        for row in reader:
            line = reader.line_num
            if None in row:
                result.errors.append((line, gettext("лишние значения в строке (больше, чем колонок)")))
                continue
            if not any((v or "").strip() for v in row.values()):
                continue  # blank line
            form = PickupRowForm({k: (v or "").strip() for k, v in row.items() if k in REQUIRED + OPTIONAL})
            if not form.is_valid():
                result.errors.append((line, form.field_errors()))
                continue
            postcode = form.cleaned_data["postcode"]
            if postcode in seen:
                result.errors.append(
                    (
                        line,
                        gettext("индекс %(code)s уже был в строке %(line)d")
                        % {"code": postcode, "line": seen[postcode]},
                    )
                )
                continue
            seen[postcode] = line
            result.rows.append((line, _point_fields(form.cleaned_data)))
    except csv.Error as exc:
        result.errors.append((reader.line_num, gettext("не разобрать CSV: %(error)s") % {"error": exc}))
    return result
