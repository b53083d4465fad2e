"""manage.py update_fx_rates FILE — load the Central Bank of Russia's daily rates XML and reprice SKUs in roubles."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from storefront.catalog.exceptions import CatalogError
from storefront.catalog.feeds.cbr import cbr_rates_parse
from storefront.catalog.services import fx_rates_store


class Command(BaseCommand):
    help = "Загрузить курсы ЦБ РФ (XML_daily) из файла и пересчитать цены в рублях. Файл с ошибкой не пишет ничего."

    def add_arguments(self, parser):
        parser.add_argument("file", help="XML ЦБ РФ (ValCurs/Valute), обычно в кодировке windows-1251")

    def handle(self, *args, file, **options):
        try:
            data = Path(file).read_bytes()
        except OSError as exc:
            raise CommandError(f"не удалось прочитать {file}: {exc.strerror}") from None
        try:
            parsed = cbr_rates_parse(data)
            result = fx_rates_store(on=parsed.date, rates=parsed.as_mapping(), actor="update_fx_rates")
        except CatalogError as exc:
            raise CommandError(f"{file}: ничего не записано.\n{exc}") from None
        self.stdout.write(
            f"Курсы ЦБ РФ на {parsed.date:%d.%m.%Y}: {len(parsed.rates)} валют "
            f"(новых {len(result.created)}, изменилось {len(result.updated)}, без изменений {len(result.unchanged)})."
        )
        for rate in parsed.rates:
            if rate.char_code in result.repriced:
                value = f"{rate.value:f}".replace(".", ",")
                self.stdout.write(
                    f"  {rate.char_code}: {value} ₽ за {rate.nominal} "
                    f"— пересчитано цен SKU: {result.repriced[rate.char_code]}"
                )
