"""The search form: whatever arrives, it yields a query, a sort and a page (never an error for the shopper)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .search import QUERY_MAX_CHARS, Sort, search_normalize

SORT_CHOICES = [
    (Sort.RELEVANCE, _("По соответствию")),
    (Sort.POPULAR, _("Популярные")),
    (Sort.PRICE_ASC, _("Сначала дешёвые")),
    (Sort.PRICE_DESC, _("Сначала дорогие")),
    (Sort.NEW, _("Новинки")),
]


class SearchForm(forms.Form):
    # Longer queries are cut, not rejected: max_length is applied by search_normalize.
    q = forms.CharField(required=False, strip=False)
    sort = forms.ChoiceField(required=False, choices=SORT_CHOICES)
    page = forms.IntegerField(required=False, min_value=1, max_value=10_000)
    exact = forms.BooleanField(required=False)  # "search for what I typed": no layout or typo correction

    def params(self) -> tuple[str, str, int, bool]:
        """(query, sort, page, exact); a bad sort or page falls back to the default instead of failing."""
        self.is_valid()
        data = self.cleaned_data
        raw = self.data.get("q", "") if "q" not in data else data["q"]
        query = search_normalize(raw[: QUERY_MAX_CHARS * 4])
        return query, data.get("sort") or Sort.RELEVANCE, data.get("page") or 1, bool(data.get("exact"))
