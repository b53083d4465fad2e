"""The catalogs themselves: every English message translated, placeholders kept, Russian plurals, .mo up to date.

The .po files are read with a small parser here (the project does not depend on polib).
"""

import ast
import gettext
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.template import Context, Template
from django.utils import translation

from logistics.promise import days_word

ROOT = Path(settings.BASE_DIR)
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%%|<[^>]+>")


@dataclass
class Message:
    msgctxt: str = ""
    msgid: str = ""
    msgid_plural: str = ""
    msgstr: str = ""
    msgstr_plural: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    line: int = 0

    @property
    def forms(self) -> list[str]:
        return [self.msgstr_plural[i] for i in sorted(self.msgstr_plural)] if self.msgid_plural else [self.msgstr]


def po_read(path: Path) -> list[Message]:
    """Messages of a .po file as gettext tools write it (entries apart by blank lines); header and #~ left out."""
    messages, current, target = [], Message(), None
    for number, raw in enumerate([*path.read_text(encoding="utf-8").splitlines(), ""], 1):
        line = raw.strip()
        if not line:
            if current.msgid:
                messages.append(current)
            current, target = Message(), None
        elif line.startswith("#,"):
            current.flags |= {flag.strip() for flag in line[2:].split(",")}
        elif line.startswith("#"):
            continue
        else:
            if not line.startswith('"'):
                target, _, line = line.partition(" ")
                current.line = current.line or number
            text = ast.literal_eval(line)  # PO strings escape like C: \" \\ \n
            if target.startswith("msgstr["):
                index = int(target[7:-1])
                current.msgstr_plural[index] = current.msgstr_plural.get(index, "") + text
            else:
                setattr(current, target, getattr(current, target) + text)
    return messages


def catalogs(language: str) -> list[Path]:
    found = [ROOT / "locale" / language / "LC_MESSAGES" / "django.po"]
    for path in ROOT.rglob(f"*/locale/{language}/LC_MESSAGES/django.po"):
        if not ({".venv", "var", "node_modules"} & set(path.relative_to(ROOT).parts)) and path not in found:
            found.append(path)
    return found


EN = catalogs("en")
RU = catalogs("ru")


def where(path: Path, message: Message) -> str:
    return f"{path.relative_to(ROOT)}:{message.line} {message.msgid!r}"


def test_the_project_and_notification_catalogs_are_found():
    assert {p.relative_to(ROOT).as_posix() for p in EN} >= {
        "locale/en/LC_MESSAGES/django.po",
        "storefront/notifications/locale/en/LC_MESSAGES/django.po",
    }


@pytest.mark.parametrize("path", EN, ids=lambda p: p.relative_to(ROOT).parts[0])
def test_every_english_message_has_a_translation(path):
    messages = po_read(path)
    assert len(messages) > 50

    missing = [where(path, m) for m in messages if not all(f.strip() for f in m.forms)]
    fuzzy = [where(path, m) for m in messages if "fuzzy" in m.flags]

    assert missing == []
    assert fuzzy == []


@pytest.mark.parametrize("path", EN, ids=lambda p: p.relative_to(ROOT).parts[0])
def test_english_keeps_the_placeholders_and_tags_of_the_russian(path):
    def marks(text: str) -> list[str]:
        return sorted(PLACEHOLDER.findall(text))

    broken = [
        where(path, m)
        for m in po_read(path)
        if any(marks(f) != marks(m.msgid_plural if m.msgid_plural and i else m.msgid) for i, f in enumerate(m.forms))
    ]

    assert broken == []


@pytest.mark.parametrize("path", EN + RU, ids=lambda p: "/".join(p.relative_to(ROOT).parts[:3]))
def test_the_compiled_catalog_is_up_to_date(path):
    """compilemessages was run after the last change to the .po (the .mo files are committed)."""
    with path.with_suffix(".mo").open("rb") as mo:
        compiled = gettext.GNUTranslations(mo)

    stale = [
        where(path, m)
        for m in po_read(path)
        if m.forms[0]
        and (compiled.ngettext(m.msgid, m.msgid_plural, 1) if m.msgid_plural else compiled.gettext(m.msgid))
        != m.forms[0]
    ]

    assert stale == []


@pytest.mark.parametrize("path", RU, ids=lambda p: p.relative_to(ROOT).parts[0])
def test_russian_plural_messages_have_one_few_and_many(path):
    plurals = [m for m in po_read(path) if m.msgid_plural]

    incomplete = [where(path, m) for m in plurals if len(m.forms) != 3 or not all(m.forms)]

    assert incomplete == []


@pytest.mark.parametrize(
    ("n", "text"),
    [(1, "1 день"), (2, "2 дня"), (4, "4 дня"), (5, "5 дней"), (11, "11 дней"), (21, "21 день"), (22, "22 дня")],
)
def test_russian_plural_in_a_template(n, text):
    template = Template(
        "{% load i18n %}{% blocktranslate count days=n %}"
        "{{ days }} день{% plural %}{{ days }} дней{% endblocktranslate %}"
    )

    with translation.override("ru"):
        assert template.render(Context({"n": n})) == text


@pytest.mark.parametrize(("n", "ru", "en"), [(1, "день", "day"), (3, "дня", "days"), (21, "день", "days")])
def test_days_word_agrees_with_the_number_in_both_languages(n, ru, en):
    with translation.override("ru"):
        assert days_word(n) == ru
    with translation.override("en"):
        assert days_word(n) == en
