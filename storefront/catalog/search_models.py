"""Search tables: the word dictionary behind typo correction, and the log of terms that found nothing.

Imported from models.py so Django registers them with the catalog app.
"""

from django.contrib.postgres.indexes import OpClass
from django.db import models
from django.db.models.functions import Reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SearchWord(models.Model):
    """One lower-cased word (ё folded to е) from product titles, brand and category names.

    Database triggers (migration 0002_search) add the words of every new title or name as it is written, by any
    path (admin, services, bulk import, seed); `manage.py search_dictionary_rebuild` recounts `ndoc` and drops words
    no product uses any more. Typo correction picks the closest word here (pg_trgm where the server has it).
    """

    word = models.CharField(max_length=64, primary_key=True)
    ndoc = models.PositiveIntegerField(default=1, help_text="How many active products use the word (approximate).")

    class Meta:
        verbose_name = _("слово поиска")
        verbose_name_plural = _("словарь поиска")
        indexes = [
            # prefix candidates for the fallback corrector and for suggestions
            models.Index(fields=["word"], name="searchword_prefix", opclasses=["varchar_pattern_ops"]),
            # suffix candidates (a typo in the first letters) for the fallback corrector
            models.Index(OpClass(Reverse("word"), name="text_pattern_ops"), name="searchword_suffix"),
        ]
        # The trigram GIN index (searchword_trgm) exists only where pg_trgm does: created by migration 0002_search.

    def __str__(self) -> str:
        return self.word


class SearchMiss(models.Model):
    """A search term that found nothing, for the catalog team: one row per normalised term, counted."""

    term = models.CharField(_("запрос"), max_length=200, unique=True)
    count = models.PositiveIntegerField(_("сколько раз"), default=1)
    first_seen = models.DateTimeField(_("впервые"), default=timezone.now)
    last_seen = models.DateTimeField(_("последний раз"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("запрос без результатов")
        verbose_name_plural = _("запросы без результатов")
        ordering = ["-count", "-last_seen"]
        indexes = [models.Index(fields=["-count"], name="searchmiss_count")]

    def __str__(self) -> str:
        return self.term
