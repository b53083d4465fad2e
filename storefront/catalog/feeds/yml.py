"""Streaming reader of YML (Yandex Market Language) feeds: yml_catalog/shop/{currencies, categories, offers}.

Events come out as the file is read (64 KiB at a time), each offer as soon as its `</offer>` is seen, so memory
stays flat however many offers there are. Every event carries the line it started on. Nothing is validated here
beyond XML well-formedness (yml_import.py judges the offers); DTDs and entities are refused (xmlsafe.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

from ..exceptions import FeedError
from .xmlsafe import chunks_of, expat_parser, feed

HEADER_ITEMS = {("currencies", "currency"), ("categories", "category")}
TEXT_LIMIT = 100_000  # characters kept of one field (a description); the rest is dropped, not buffered


@dataclass
class YmlCurrency:
    id: str
    rate: str
    line: int


@dataclass
class YmlCategory:
    id: str
    name: str
    parent_id: str
    line: int


@dataclass
class YmlOffersStart:
    """`<offers>` opened: currencies and categories are complete."""

    line: int


@dataclass
class YmlOffer:
    id: str
    line: int
    attrs: dict[str, str]
    fields: dict[str, str] = field(default_factory=dict)  # single-valued children: price, name, vendor, ...
    lines: dict[str, int] = field(default_factory=dict)  # the line each field started on
    pictures: list[str] = field(default_factory=list)
    params: list[tuple[str, str, str, int]] = field(default_factory=list)  # (name, unit, value, line)


YmlEvent = YmlCurrency | YmlCategory | YmlOffersStart | YmlOffer


class _Reader:
    def __init__(self) -> None:
        self.parser = expat_parser()
        self.parser.StartElementHandler = self.start
        self.parser.EndElementHandler = self.end
        self.parser.CharacterDataHandler = self.chars
        self.stack: list[str] = []
        self.events: list[YmlEvent] = []
        self.offer: YmlOffer | None = None
        self.text: list[str] | None = None
        self.text_len = 0
        self.child: tuple[str, dict[str, str], int] | None = None

    def start(self, name: str, attrs: dict[str, str]) -> None:
        line = self.parser.CurrentLineNumber
        depth = len(self.stack)
        self.stack.append(name)
        if depth == 0:
            if name != "yml_catalog":
                raise FeedError(f"это не YML-фид: корневой элемент <{name}>, а нужен <yml_catalog>", line=line)
        elif self.offer is not None:
            if depth == 4:  # a direct child of <offer>
                self.child, self.text, self.text_len = (name, attrs, line), [], 0
        elif depth == 3 and self.stack[1] == "shop" and self.stack[2] == "offers" and name == "offer":
            self.offer = YmlOffer(id=attrs.get("id", "").strip(), line=line, attrs=dict(attrs))
        elif depth == 3 and self.stack[1] == "shop" and (self.stack[2], name) in HEADER_ITEMS:
            self.child, self.text, self.text_len = (name, attrs, line), [], 0
        elif depth == 2 and self.stack[1] == "shop" and name == "offers":
            self.events.append(YmlOffersStart(line=line))

    def chars(self, data: str) -> None:
        if self.text is not None and self.text_len < TEXT_LIMIT:
            self.text.append(data)
            self.text_len += len(data)

    def end(self, name: str) -> None:
        self.stack.pop()
        depth = len(self.stack)
        if self.child is not None and depth == (4 if self.offer is not None else 3):
            child, attrs, line = self.child
            text = "".join(self.text or ())[:TEXT_LIMIT].strip()
            self.child, self.text = None, None
            if self.offer is not None:
                self._offer_field(child, attrs, text, line)
            elif child == "currency":
                self.events.append(YmlCurrency(id=attrs.get("id", "").strip(), rate=attrs.get("rate", ""), line=line))
            else:
                self.events.append(
                    YmlCategory(
                        id=attrs.get("id", "").strip(),
                        name=text,
                        parent_id=attrs.get("parentId", "").strip(),
                        line=line,
                    )
                )
        elif self.offer is not None and depth == 3:
            self.events.append(self.offer)
            self.offer = None

    def _offer_field(self, name: str, attrs: dict[str, str], text: str, line: int) -> None:
        offer = self.offer
        if name == "picture":
            offer.pictures.append(text)
        elif name == "param":
            offer.params.append((attrs.get("name", "").strip(), attrs.get("unit", "").strip(), text, line))
        elif name not in offer.fields:  # the first of a repeated single-valued field wins
            offer.fields[name] = text
            offer.lines[name] = line


def yml_events(stream: BinaryIO) -> Iterator[YmlEvent]:
    """Currencies, categories, an offers-start marker and offers, in file order; FeedError on malformed XML.

    Events before the damaged place are yielded first, so a caller can keep what was complete.
    """
    reader = _Reader()
    for chunk in chunks_of(stream):
        try:
            feed(reader.parser, chunk)
        except FeedError:
            yield from reader.events  # what was complete before the damaged place
            raise
        yield from reader.events
        reader.events.clear()
    feed(reader.parser, b"", final=True)
    yield from reader.events
