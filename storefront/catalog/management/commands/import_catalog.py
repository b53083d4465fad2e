"""manage.py import_catalog FILE — import a YML (Yandex Market Language) feed: create or update by offer id."""

import time

from django.core.management.base import BaseCommand, CommandError

from storefront.catalog.feeds.yml_import import BATCH, FeedImporter
from storefront.catalog.models import Origin


class Command(BaseCommand):
    help = (
        "Загрузить каталог из YML-фида: товары создаются и обновляются по id предложения; каждое плохое "
        "предложение выводится с номером строки и причиной и пропускается, остальные загружаются."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="YML-фид (yml_catalog/shop/offers)")
        parser.add_argument(
            "--origin",
            choices=Origin.values,
            help="откуда отправляются товары; по умолчанию по валюте: CNY — CN, EUR — EU, RUB — RU",
        )
        parser.add_argument(
            "--available-stock",
            type=int,
            default=100,
            help="остаток для available=true без <count> (по умолчанию 100)",
        )
        parser.add_argument("--batch-size", type=int, default=BATCH, help="предложений в одной транзакции")

    def handle(self, *args, file, origin, available_stock, batch_size, **options):
        started = time.monotonic()
        importer = FeedImporter(
            report=self.stderr.write, origin=origin, available_stock=available_stock, batch_size=batch_size
        )
        try:
            with open(file, "rb") as stream:
                s = importer.run(stream)
        except OSError as exc:
            raise CommandError(f"не удалось прочитать {file}: {exc.strerror}") from None
        self.stdout.write(
            f"{file}: создано {s.created}, обновлено {s.updated}, без изменений {s.unchanged}, "
            f"отклонено {s.rejected}, предупреждений {s.warnings}; категорий новых {s.categories_created}, "
            f"изменено {s.categories_updated}; {time.monotonic() - started:.1f} с."
        )
        if s.fatal:
            raise CommandError(f"{s.fatal}. Импорт остановлен здесь; предложения до этого места обработаны.")
