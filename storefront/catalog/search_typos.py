"""Query repair for search: keyboard-layout mistakes and typo correction against the word dictionary.

Typos are corrected with pg_trgm (a GIN trigram index on catalog_searchword) where the server has the extension,
and otherwise in Python: candidates sharing the first two or the last three letters, ranked by edit distance.
Both paths accept a candidate only within the same edit-distance budget, so they agree on what counts as a typo.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.db import connection

WORD_RE = re.compile(r"[^\W_]+")
CYRILLIC_RE = re.compile(r"[а-яё]", re.IGNORECASE)
LATIN_RE = re.compile(r"[a-z]", re.IGNORECASE)

# The same physical keys on QWERTY and ЙЦУКЕН.
_LATIN_KEYS = "`qwertyuiop[]asdfghjkl;'zxcvbnm,."
_CYRILLIC_KEYS = "ёйцукенгшщзхъфывапролджэячсмитьбю"
_PAIRS = list(zip(_LATIN_KEYS, _CYRILLIC_KEYS, strict=True))
_PAIRS += [(lat.upper(), cyr.upper()) for lat, cyr in _PAIRS if lat.isalpha()]  # Shift+letter; punctuation as is
LATIN_TO_CYRILLIC = str.maketrans({lat: cyr for lat, cyr in _PAIRS})
CYRILLIC_TO_LATIN = str.maketrans({cyr: lat for lat, cyr in _PAIRS})

MIN_WORD = 3  # shorter words are never corrected (and are not in the dictionary)
CANDIDATES = 300  # per word, for the Python path
MAX_UNKNOWN_WORDS = 5  # corrected per query: each may cost a dictionary query, and a query has up to 3 readings


def layout_swap(text: str) -> str | None:
    """The query as if typed on the other keyboard layout: "cvfhnajy" -> "смартфон", "шзрщту" -> "iphone".

    None when the query mixes scripts (or has no letters): then it was not typed on one wrong layout.
    """
    has_latin, has_cyrillic = bool(LATIN_RE.search(text)), bool(CYRILLIC_RE.search(text))
    if has_latin and not has_cyrillic:
        return text.translate(LATIN_TO_CYRILLIC)
    if has_cyrillic and not has_latin:
        return text.translate(CYRILLIC_TO_LATIN)
    return None


def edit_distance(a: str, b: str, limit: int) -> int:
    """Optimal-string-alignment distance (a swap of neighbours costs 1); returns limit + 1 once it is exceeded."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        if min(cur) > limit:
            return limit + 1
        prev2, prev = prev, cur
    return prev[-1]


def typo_budget(word: str) -> int:
    """How many edits still count as a typo of a word this long."""
    return 1 if len(word) <= 5 else 2


def trigram_enabled() -> bool:
    """pg_trgm is used when installed in this database, unless STORE_SEARCH_TRGM says otherwise (True/False)."""
    forced = getattr(settings, "STORE_SEARCH_TRGM", None)
    if forced is not None:
        return bool(forced)
    cached = getattr(connection, "_store_search_trgm", None)
    if cached is None:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm')"
                " AND EXISTS (SELECT 1 FROM pg_indexes WHERE indexname = 'searchword_trgm')"
            )
            cached = bool(cursor.fetchone()[0])
        connection._store_search_trgm = cached  # per connection: the answer cannot change under it
    return cached


def _known(words: list[str]) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT word FROM catalog_searchword WHERE word = ANY(%s)", [words])
        return {row[0] for row in cursor.fetchall()}


def _candidates_trigram(words: list[str]) -> dict[str, list[tuple[str, int]]]:
    """Up to 10 most similar dictionary words for each word, one query for all (GIN trigram index)."""
    sql = """
        SELECT q.w, c.word, c.ndoc
        FROM unnest(%s::text[]) AS q(w)
        CROSS JOIN LATERAL (
            SELECT word, ndoc FROM catalog_searchword
            WHERE word %% q.w
            ORDER BY similarity(word, q.w) DESC, ndoc DESC
            LIMIT 10
        ) c
    """
    found: dict[str, list[tuple[str, int]]] = {w: [] for w in words}
    with connection.cursor() as cursor:
        cursor.execute(sql, [words])
        for word, candidate, ndoc in cursor.fetchall():
            found[word].append((candidate, ndoc))
    return found


def _candidates_prefix_suffix(words: list[str]) -> dict[str, list[tuple[str, int]]]:
    """Dictionary words of a similar length sharing the first two or the last three letters (btree indexes)."""
    found: dict[str, list[tuple[str, int]]] = {}
    sql = """
        (SELECT word, ndoc FROM catalog_searchword
         WHERE word LIKE %(prefix)s AND char_length(word) BETWEEN %(lo)s AND %(hi)s
         ORDER BY ndoc DESC LIMIT %(n)s)
        UNION
        (SELECT word, ndoc FROM catalog_searchword
         WHERE reverse(word) LIKE %(suffix)s AND char_length(word) BETWEEN %(lo)s AND %(hi)s
         ORDER BY ndoc DESC LIMIT %(n)s)
    """
    with connection.cursor() as cursor:
        for word in words:
            budget = typo_budget(word)
            params = {
                "prefix": word[:2] + "%",
                "suffix": word[::-1][:3] + "%",
                "lo": len(word) - budget,
                "hi": len(word) + budget,
                "n": CANDIDATES,
            }
            cursor.execute(sql, params)
            found[word] = cursor.fetchall()
    return found


def _best(word: str, candidates: list[tuple[str, int]]) -> str | None:
    budget = typo_budget(word)
    scored = []
    for candidate, ndoc in candidates:
        distance = edit_distance(word, candidate, budget)
        if distance <= budget:
            scored.append((distance, -ndoc, candidate))
    return min(scored)[2] if scored else None


def query_correct(text: str, *, trigram: bool | None = None) -> str | None:
    """The query with unknown words replaced by the closest dictionary words, or None when nothing changes."""
    tokens = WORD_RE.findall(text.lower().replace("ё", "е"))
    checkable = [t for t in dict.fromkeys(tokens) if len(t) >= MIN_WORD and not t.isdigit() and len(t) <= 64]
    if not checkable:
        return None
    known = _known(checkable)
    unknown = [t for t in checkable if t not in known][:MAX_UNKNOWN_WORDS]
    if not unknown:
        return None
    use_trigram = trigram_enabled() if trigram is None else trigram
    pool = _candidates_trigram(unknown) if use_trigram else _candidates_prefix_suffix(unknown)
    fixes = {word: best for word in unknown if (best := _best(word, pool.get(word, [])))}
    if use_trigram and (missed := [word for word in unknown if word not in fixes]):
        # Trigrams miss swapped letters in short words ("xaiomi" ~ "xiaomi" is 0.27): try the other pool too.
        pool = _candidates_prefix_suffix(missed)
        fixes |= {word: best for word in missed if (best := _best(word, pool.get(word, [])))}
    if not fixes:
        return None
    return " ".join(fixes.get(t, t) for t in tokens)
