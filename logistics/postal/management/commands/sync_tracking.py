"""`manage.py sync_tracking [--loop SECONDS] [--no-request] [--max-tickets N]`: the tracking sync from the shell."""

from __future__ import annotations

import json
import time

from django.core.management.base import BaseCommand

from logistics.postal.sync import tracking_sync


class Command(BaseCommand):
    help = "Poll the postal partner for active parcels (batch tickets), store new events, move parcels and orders."

    def add_arguments(self, parser):
        parser.add_argument("--loop", type=float, default=0, help="repeat every this many seconds until Ctrl-C")
        parser.add_argument("--no-request", action="store_true", help="only collect answers of pending tickets")
        parser.add_argument("--no-collect", action="store_true", help="only ask for new tickets")
        parser.add_argument("--max-tickets", type=int, default=None, help="ask for at most this many new tickets")

    def handle(self, *args, loop: float, no_request: bool, no_collect: bool, max_tickets: int | None, **options):
        while True:
            report = tracking_sync(request=not no_request, collect=not no_collect, max_tickets=max_tickets)
            self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False))
            if report.paused:
                self.stderr.write(self.style.WARNING(f"paused: {report.paused}"))
            if not loop:
                return
            time.sleep(loop)
