import signal
import time

from django.core.management.base import BaseCommand

from storefront.outbox.services import outbox_relay


class Command(BaseCommand):
    help = "Send pending outbox jobs to Celery; with --loop keep doing it (an alternative to the beat task)."

    def add_arguments(self, parser):
        parser.add_argument("--loop", action="store_true", help="keep relaying until stopped (SIGTERM/Ctrl-C)")
        parser.add_argument("--interval", type=float, default=2.0, help="seconds between runs with --loop")
        parser.add_argument("--batch", type=int, default=500, help="jobs per transaction")

    def handle(self, *args, loop: bool, interval: float, batch: int, **options):
        stopping = False

        def stop(*_):
            nonlocal stopping
            stopping = True

        if loop:
            signal.signal(signal.SIGTERM, stop)
            signal.signal(signal.SIGINT, stop)
        while True:
            result = outbox_relay(batch=batch)
            while result.sent == batch and not result.failed and not stopping:  # a backlog: drain it first
                result = outbox_relay(batch=batch)
            if not loop:
                self.stdout.write(f"sent {result.sent}, failed {result.failed} {result.error}".rstrip())
                return
            if stopping:
                return
            time.sleep(interval)
