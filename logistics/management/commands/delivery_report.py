"""`manage.py delivery_report [--days N] [--by subject|district]`: promised vs actual delivery."""

import datetime

from django.core.management.base import BaseCommand
from django.utils import timezone

from logistics.report import delivery_report


class Command(BaseCommand):
    help = "Share of parcels delivered on time, median and p90 days late, per origin and region."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=90, help="parcels delivered in the last N days")
        parser.add_argument("--by", choices=["subject", "district"], default="subject")

    def handle(self, *args, days: int, by: str, **options):
        until = timezone.now()
        rows = delivery_report(since=until - datetime.timedelta(days=days), until=until, group_by=by)
        if not rows:
            self.stdout.write("no delivered parcels with a promise in this period")
            return
        self.stdout.write(f"{'origin':<8}{'region':<42}{'parcels':>8}{'on time':>9}{'median':>8}{'p90':>6}{'worst':>7}")
        for r in rows:
            area = "ALL" if r.is_total else r.area
            self.stdout.write(
                f"{r.origin:<8}{area[:41]:<42}{r.parcels:>8}{r.on_time_share:>8.0%} {r.median_late:>7.1f}"
                f"{r.p90_late:>6.1f}{r.worst:>7}"
            )
