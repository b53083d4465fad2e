"""The customs manifest of a dispatch: every cross-border parcel with its CN23 lines, as CSV and as XML."""

from __future__ import annotations

import csv
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import IO

from django.db.models import Prefetch
from django.utils import timezone

from .models import CustomsDeclaration, CustomsDeclarationLine, Dispatch, Parcel

CSV_COLUMNS = [
    "dispatch",
    "parcel",
    "tracking_number",
    "order",
    "recipient",
    "phone",
    "postcode",
    "city",
    "address",
    "gross_weight_g",
    "contents_type",
    "invoice",
    "total_value",
    "total_currency",
    "item",
    "description_ru",
    "description_en",
    "hs_code",
    "quantity",
    "net_weight_g",
    "value",
    "currency",
    "country_of_origin",
]


@dataclass(frozen=True)
class Manifest:
    dispatch: Dispatch
    parcels: list[Parcel]  # cross-border parcels with `customs` and its lines loaded
    without_declaration: list[str]  # references of parcels that have none (should not happen: reported)


def manifest_get(*, dispatch_id: int) -> Manifest:
    """Raises Dispatch.DoesNotExist for an unknown id."""
    dispatch = Dispatch.objects.get(pk=dispatch_id)
    parcels = list(
        Parcel.objects.filter(dispatch=dispatch)
        .select_related("order", "customs")
        .prefetch_related(
            Prefetch("customs__lines", queryset=CustomsDeclarationLine.objects.order_by("id"), to_attr="items")
        )
        .order_by("id")
    )
    with_declaration, missing = [], []
    for parcel in parcels:
        try:
            parcel.customs  # noqa: B018 - loaded by select_related; raises when absent
        except CustomsDeclaration.DoesNotExist:
            if parcel.is_cross_border:
                missing.append(parcel.reference)
            continue
        with_declaration.append(parcel)
    return Manifest(dispatch=dispatch, parcels=with_declaration, without_declaration=missing)


def _address(parcel: Parcel) -> str:
    parts = [parcel.street, parcel.house]
    if parcel.flat:
        parts.append(parcel.flat)
    return ", ".join(p for p in parts if p)


def manifest_write_csv(manifest: Manifest, out: IO[str]) -> int:
    """One row per declaration line; returns how many rows."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    rows = 0
    for parcel in manifest.parcels:
        decl = parcel.customs
        for n, item in enumerate(decl.items, start=1):
            writer.writerow(
                [
                    manifest.dispatch.pk,
                    parcel.reference,
                    parcel.tracking_number,
                    parcel.order.number,
                    parcel.recipient_name,
                    parcel.recipient_phone,
                    parcel.postcode,
                    parcel.city,
                    _address(parcel),
                    decl.gross_weight_grams,
                    decl.contents_type,
                    decl.invoice_number,
                    f"{decl.total_value:.2f}",
                    decl.currency,
                    n,
                    item.description_ru,
                    item.description_en,
                    item.hs_code,
                    item.quantity,
                    item.net_weight_grams,
                    f"{item.value:.2f}",
                    item.currency,
                    item.country_of_origin,
                ]
            )
            rows += 1
    return rows


def manifest_xml(manifest: Manifest) -> ET.ElementTree:
    root = ET.Element(
        "manifest",
        {
            "dispatch": str(manifest.dispatch.pk),
            "origin": manifest.dispatch.origin,
            "created": timezone.localtime(manifest.dispatch.created_at).isoformat(timespec="seconds"),
            "parcels": str(len(manifest.parcels)),
        },
    )
    for parcel in manifest.parcels:
        decl = parcel.customs
        node = ET.SubElement(
            root,
            "parcel",
            {"reference": parcel.reference, "tracking-number": parcel.tracking_number, "order": parcel.order.number},
        )
        recipient = ET.SubElement(node, "recipient")
        for tag, value in (
            ("name", parcel.recipient_name),
            ("phone", parcel.recipient_phone),
            ("postcode", parcel.postcode),
            ("city", parcel.city),
            ("address", _address(parcel)),
        ):
            ET.SubElement(recipient, tag).text = value
        cn23 = ET.SubElement(
            node,
            "customs-declaration",
            {
                "contents-type": decl.contents_type,
                "invoice-number": decl.invoice_number,
                "currency": decl.currency,
                "total-value": f"{decl.total_value:.2f}",
                "gross-weight-g": str(decl.gross_weight_grams),
            },
        )
        for item in decl.items:
            entry = ET.SubElement(cn23, "item")
            for tag, value in (
                ("description-ru", item.description_ru),
                ("description-en", item.description_en),
                ("hs-code", item.hs_code),
                ("quantity", str(item.quantity)),
                ("net-weight-g", str(item.net_weight_grams)),
                ("value", f"{item.value:.2f}"),
                ("currency", item.currency),
                ("country-of-origin", item.country_of_origin),
            ):
                ET.SubElement(entry, tag).text = value
    tree = ET.ElementTree(root)
    ET.indent(tree)
    return tree


def manifest_write_xml(manifest: Manifest, out: IO[bytes]) -> None:
    manifest_xml(manifest).write(out, encoding="utf-8", xml_declaration=True)
