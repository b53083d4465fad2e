"""ASCII slugs for Russian names (transliteration), unique against what the database already has."""

from __future__ import annotations

import re
from collections.abc import Iterable

TRANSLIT = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh", "з": "z", "и": "i", "й": "y",
    "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f",
    "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu", "я": "ya",
}  # fmt: skip


def slug_ru(text: str, *, max_length: int = 200) -> str:
    """ "Умные часы Amazfit" -> "umnye-chasy-amazfit" (ASCII, lower case, hyphens)."""
    out = "".join(TRANSLIT.get(ch, ch) for ch in text.lower())
    return re.sub(r"[^a-z0-9]+", "-", out).strip("-")[:max_length].strip("-")


def slugs_unique(wanted: Iterable[str], *, model, field: str = "slug") -> list[str]:
    """Make each wanted slug unique against the table and the others in the list ("x", "x-2", "x-3", ...)."""
    wanted = [w or "item" for w in wanted]
    taken = set(model.objects.filter(**{f"{field}__in": wanted}).values_list(field, flat=True))
    out = []
    for slug in wanted:
        candidate = slug
        if candidate in taken:
            taken |= set(model.objects.filter(**{f"{field}__startswith": f"{slug}-"}).values_list(field, flat=True))
            n = 2
            while f"{slug}-{n}" in taken:
                n += 1
            candidate = f"{slug}-{n}"
        taken.add(candidate)
        out.append(candidate)
    return out
