"""Pickup points: loading ops' files."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from ..models import PickupPoint
from ..pickup_import import ParsedFile, pickup_csv_parse

UPDATABLE = ("kind", "name", "city", "address", "hours", "latitude", "longitude", "has_parcel_window", "is_active")


@dataclass(frozen=True)
class PickupImportResult:
    created: int
    updated: int
    errors: list[tuple[int, str]]

    @property
    def ok(self) -> bool:
        return not self.errors


def pickup_points_import(*, data: bytes, actor, dry_run: bool = False) -> PickupImportResult:
    """Create or update (by postcode) the points in a CSV file. All or nothing: if any row is bad, every bad row
    is reported with its line number and why, and nothing is written."""
    parsed: ParsedFile = pickup_csv_parse(data)
    if parsed.errors or dry_run:
        return PickupImportResult(created=0, updated=0, errors=parsed.errors)
    rows = [row for _line, row in parsed.rows]
    now = timezone.now()
    with transaction.atomic(durable=True):
        existing = {
            p.postcode: p
            for p in PickupPoint.objects.select_for_update().filter(postcode__in=[r["postcode"] for r in rows])
        }
        new, changed = [], []
        for row in rows:
            point = existing.get(row["postcode"])
            if point is None:
                new.append(PickupPoint(**row, updated_at=now))
                continue
            if any(getattr(point, name) != row[name] for name in UPDATABLE):
                for name in UPDATABLE:
                    setattr(point, name, row[name])
                point.updated_at = now
                changed.append(point)
        PickupPoint.objects.bulk_create(new, batch_size=1000)
        PickupPoint.objects.bulk_update(changed, [*UPDATABLE, "updated_at"], batch_size=1000)
    return PickupImportResult(created=len(new), updated=len(changed), errors=[])
