"""Promised vs actual delivery: per origin and region, from delivered parcels' delivered_at (Moscow date) and
promised_by. Days late = delivery day − promised day (0 or less is on time)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import connection

from storefront.catalog.models import Origin

from .models import FederalDistrict, ParcelStatus

GROUPS = {"subject": "r.subject", "district": "r.federal_district"}

_SQL = """
WITH d AS (
    SELECT p.origin, left(p.postcode, 3) AS prefix,
           ((p.delivered_at AT TIME ZONE 'Europe/Moscow')::date - p.promised_by) AS late
    FROM logistics_parcel p
    WHERE p.status = %(delivered)s AND p.delivered_at IS NOT NULL AND p.promised_by IS NOT NULL
      AND p.delivered_at >= %(since)s AND p.delivered_at < %(until)s
)
SELECT d.origin, {group} AS area, GROUPING({group}) AS is_total,
       count(*) AS parcels,
       count(*) FILTER (WHERE d.late <= 0) AS on_time,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY greatest(d.late, 0)) AS median_late,
       percentile_cont(0.9) WITHIN GROUP (ORDER BY greatest(d.late, 0)) AS p90_late,
       max(d.late) AS worst
FROM d LEFT JOIN logistics_region r ON r.prefix = d.prefix
GROUP BY GROUPING SETS ((d.origin, {group}), (d.origin))
ORDER BY d.origin, is_total DESC, parcels DESC, area
"""


@dataclass(frozen=True)
class ReportRow:
    origin: str
    area: str  # region (subject or federal district); "" on the origin's total row
    is_total: bool
    parcels: int
    on_time: int
    median_late: float
    p90_late: float
    worst: int

    @property
    def on_time_share(self) -> float:
        return self.on_time / self.parcels if self.parcels else 0.0

    @property
    def origin_label(self) -> str:
        return str(Origin(self.origin).label) if self.origin in Origin.values else self.origin


def delivery_report(
    *, since: datetime.datetime, until: datetime.datetime, group_by: str = "subject"
) -> list[ReportRow]:
    """Rows per origin and region (and a total row per origin first) for parcels delivered in [since, until)."""
    group = GROUPS[group_by]
    with connection.cursor() as cursor:
        cursor.execute(_SQL.format(group=group), {"delivered": ParcelStatus.DELIVERED, "since": since, "until": until})
        rows = cursor.fetchall()
    districts = dict(FederalDistrict.choices)
    result = []
    for origin, raw_area, is_total, parcels, on_time, median, p90, worst in rows:
        area = raw_area or ""
        if is_total:
            area = ""
        elif group_by == "district":
            area = str(districts.get(area, area or "—"))
        result.append(
            ReportRow(
                origin=origin,
                area=area or ("" if is_total else "—"),
                is_total=bool(is_total),
                parcels=parcels,
                on_time=on_time,
                median_late=float(median or 0),
                p90_late=float(p90 or 0),
                worst=int(worst or 0),
            )
        )
    return result
