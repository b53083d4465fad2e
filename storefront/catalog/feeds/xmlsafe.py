"""A streaming XML parser (expat) that refuses DTDs and entity declarations and reports line numbers.

Feeds and rates files come from outside: `<!DOCTYPE` (and so entity expansion, "billion laughs", external entities)
is rejected outright. Encodings are taken from the XML declaration; expat handles windows-1251 through Python's
codecs.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import BinaryIO
from xml.parsers import expat

from ..exceptions import FeedError

CHUNK = 1 << 16


def expat_parser() -> expat.XMLParserType:
    parser = expat.ParserCreate()
    parser.buffer_text = True
    parser.buffer_size = CHUNK

    def forbid_doctype(*_args) -> None:
        raise FeedError("объявление <!DOCTYPE> (DTD) в файле запрещено", line=parser.CurrentLineNumber)

    def forbid_entity(*_args) -> None:
        raise FeedError("объявления сущностей (<!ENTITY>) в файле запрещены", line=parser.CurrentLineNumber)

    parser.StartDoctypeDeclHandler = forbid_doctype
    parser.EntityDeclHandler = forbid_entity
    parser.ExternalEntityRefHandler = forbid_entity
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    return parser


def chunks_of(stream: BinaryIO) -> Iterable[bytes]:
    while chunk := stream.read(CHUNK):
        yield chunk


def feed(parser: expat.XMLParserType, data: bytes, *, final: bool = False) -> None:
    """Parse more bytes; malformed XML becomes a FeedError with its line."""
    try:
        parser.Parse(data, final)
    except expat.ExpatError as exc:
        reason = expat.ErrorString(exc.code)
        raise FeedError(
            f"файл не является корректным XML: {reason} (позиция {exc.offset + 1})", line=exc.lineno
        ) from None
