"""`manage.py export_manifest --dispatch ID [--out DIR]`: the dispatch's customs manifest as CSV and XML."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from logistics.manifest import manifest_get, manifest_write_csv, manifest_write_xml
from logistics.models import Dispatch


class Command(BaseCommand):
    help = "Write the customs manifest (CN23 data of every cross-border parcel) of a dispatch as CSV and XML."

    def add_arguments(self, parser):
        parser.add_argument("--dispatch", type=int, required=True, help="dispatch id")
        parser.add_argument("--out", default=str(Path(settings.BASE_DIR) / "var" / "manifests"), help="directory")

    def handle(self, *args, dispatch: int, out: str, **options):
        try:
            manifest = manifest_get(dispatch_id=dispatch)
        except Dispatch.DoesNotExist as exc:
            raise CommandError(f"no dispatch with id {dispatch}") from exc
        folder = Path(out)
        folder.mkdir(parents=True, exist_ok=True)
        csv_path = folder / f"manifest-{dispatch}.csv"
        xml_path = folder / f"manifest-{dispatch}.xml"
        with csv_path.open("w", encoding="utf-8", newline="") as f:
            rows = manifest_write_csv(manifest, f)
        with xml_path.open("wb") as f:
            manifest_write_xml(manifest, f)
        for reference in manifest.without_declaration:
            self.stderr.write(f"parcel {reference} has no customs declaration: left out")
        self.stdout.write(f"{len(manifest.parcels)} parcels, {rows} lines: {csv_path} {xml_path}")
