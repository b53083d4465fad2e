"""manage.py seed_demo [--if-empty] [--products N] — the demo store in Russian; safe to run again."""

import time

from django.core.management.base import BaseCommand

from storefront.catalog.models import Product
from storefront.catalog.seed import CUSTOMERS, demo_store_seed

DEFAULT_PRODUCTS = 360


class Command(BaseCommand):
    help = (
        "Заполнить демо-магазин: категории, бренды, товары с вариантами и картинками, цены в CNY/EUR/RUB, "
        "курсы ЦБ из образца, демо-покупатели. Повторный запуск ничего не дублирует."
    )

    def add_arguments(self, parser):
        parser.add_argument("--products", type=int, default=DEFAULT_PRODUCTS, help="сколько демо-товаров (всего)")
        parser.add_argument("--customers", type=int, default=CUSTOMERS, help="сколько демо-покупателей")
        parser.add_argument("--batch-size", type=int, default=5000, help="товаров в одной транзакции")
        parser.add_argument("--if-empty", action="store_true", help="ничего не делать, если товары уже есть")

    def handle(self, *args, products, customers, batch_size, if_empty, **options):
        if if_empty and Product.objects.exists():
            self.stdout.write("Каталог не пуст: демо-данные не нужны.")
            return
        started = time.monotonic()
        result = demo_store_seed(products=products, customers=customers, batch_size=batch_size, say=self.stdout.write)
        self.stdout.write(
            f"Готово за {time.monotonic() - started:.1f} с: категорий +{result.categories}, брендов +{result.brands}, "
            f"товаров +{result.products} (уже были: {result.products_existing}), SKU +{result.skus}, "
            f"картинок +{result.images}, покупателей +{result.customers}."
        )
        from orders.demo import demo_orders_seed

        orders = demo_orders_seed(stdout=self.stdout)
        self.stdout.write(f"Демо-заказы во всех статусах: {len(orders)}.")
