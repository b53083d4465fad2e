"""`manage.py import_pickup_points FILE [--dry-run]`: create or update pickup points from a CSV file."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from logistics.pickup_import import OPTIONAL, REQUIRED
from logistics.services import pickup_points_import


class Command(BaseCommand):
    help = (
        f"Load pickup points from CSV (columns {', '.join(REQUIRED)}; optional {', '.join(OPTIONAL)}). "
        "All or nothing: every bad row is reported with its line number and nothing is written."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true", help="only check the file")

    def handle(self, *args, file: str, dry_run: bool, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"no such file: {file}")
        result = pickup_points_import(data=path.read_bytes(), actor="ops", dry_run=dry_run)
        if result.errors:
            for line, why in result.errors:
                self.stderr.write(f"{path.name}:{line}: {why}" if line else f"{path.name}: {why}")
            raise CommandError(f"{len(result.errors)} bad rows: nothing imported")
        if dry_run:
            self.stdout.write("file is fine (dry run: nothing written)")
        else:
            self.stdout.write(f"created {result.created}, updated {result.updated}")
