"""Recount the search word dictionary (typo correction) from active products, brands and categories."""

from django.core.management.base import BaseCommand

from storefront.catalog.search_services import search_dictionary_rebuild


class Command(BaseCommand):
    help = (
        "Пересобирает словарь поиска (исправление опечаток): слова из названий активных товаров, брендов и "
        "категорий с числом товаров; убирает слова, которых больше нет. Новые слова триггеры добавляют сами."
    )

    def handle(self, *args, **options):
        words = search_dictionary_rebuild()
        self.stdout.write(self.style.SUCCESS(f"Слов в словаре поиска: {words}"))
