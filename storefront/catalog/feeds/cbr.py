"""The Central Bank of Russia's daily rates XML (XML_daily.asp), parsed and validated before anything is written.

    <ValCurs Date="23.11.2026" name="Foreign Currency Market">
      <Valute ID="R01375"><NumCode>156</NumCode><CharCode>CNY</CharCode><Nominal>1</Nominal>
        <Name>Юань</Name><Value>11,2345</Value><VunitRate>11,2345</VunitRate></Valute>
      ...

`Value` roubles buy `Nominal` units; the decimal separator is a comma. Files are usually windows-1251.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from decimal import Decimal

from ..exceptions import FeedError
from .xmlsafe import expat_parser, feed

VALUE_RE = re.compile(r"^\d{1,8}(?:[,.]\d{1,6})?$")
NOMINAL_RE = re.compile(r"^\d{1,9}$")
CODE_RE = re.compile(r"^[A-Z]{3}$")
FIELDS = {"NumCode", "CharCode", "Nominal", "Name", "Value", "VunitRate"}


@dataclass(frozen=True)
class CbrRate:
    char_code: str
    nominal: int
    value: Decimal
    name: str
    valute_id: str
    line: int

    @property
    def per_unit(self) -> Decimal:
        return self.value / self.nominal


@dataclass
class CbrRates:
    date: datetime.date
    rates: list[CbrRate] = field(default_factory=list)

    def as_mapping(self) -> dict[str, tuple[Decimal, int]]:
        return {r.char_code: (r.value, r.nominal) for r in self.rates}


def _valute_check(raw: dict, problems: list[str], seen: set[str]) -> CbrRate | None:
    fields = raw["fields"]
    code = fields.get("CharCode", "").strip()
    where = f'строка {raw["line"]}, Valute ID="{raw["id"]}"' + (f" ({code})" if code else "")
    before = len(problems)
    if not CODE_RE.match(code):
        problems.append(f"{where}: CharCode «{code}» — нужен трёхбуквенный код валюты")
    elif code in seen:
        problems.append(f"{where}: валюта {code} встречается в файле дважды")
    nominal_text = fields.get("Nominal", "").strip()
    if not NOMINAL_RE.match(nominal_text) or int(nominal_text) == 0:
        problems.append(f"{where}: Nominal «{nominal_text}» — нужно целое число больше нуля")
    value_text = fields.get("Value", "").strip()
    if not VALUE_RE.match(value_text):
        problems.append(f"{where}: Value «{value_text}» — нужно положительное число вида 11,2345")
    elif Decimal(value_text.replace(",", ".")) <= 0:
        problems.append(f"{where}: Value «{value_text}» — курс должен быть больше нуля")
    if len(problems) > before:
        return None
    seen.add(code)
    return CbrRate(
        char_code=code,
        nominal=int(nominal_text),
        value=Decimal(value_text.replace(",", ".")),
        name=fields.get("Name", "").strip(),
        valute_id=raw["id"],
        line=raw["line"],
    )


def cbr_rates_parse(data: bytes) -> CbrRates:
    """Every rate in the file, or a FeedError listing every problem (line, Valute, why). Writes nothing."""
    parser = expat_parser()
    stack: list[str] = []
    state: dict = {"date": None, "valute": None, "text": None, "count": 0}
    rates: list[CbrRate] = []
    problems: list[str] = []
    seen: set[str] = set()

    def start(name: str, attrs: dict) -> None:
        line = parser.CurrentLineNumber
        if not stack:
            if name != "ValCurs":
                raise FeedError(f"это не файл курсов ЦБ: корневой элемент <{name}>, а нужен <ValCurs>", line=line)
            date_text = attrs.get("Date", "")
            try:
                state["date"] = datetime.datetime.strptime(date_text, "%d.%m.%Y").date()
            except ValueError:
                raise FeedError(f"ValCurs Date=«{date_text}» — нужна дата вида 23.11.2026", line=line) from None
        elif len(stack) == 1 and name == "Valute":
            state["valute"] = {"id": attrs.get("ID", ""), "line": line, "fields": {}}
        elif len(stack) == 2 and state["valute"] is not None and name in FIELDS:
            state["text"] = []
        stack.append(name)

    def chars(text: str) -> None:
        if state["text"] is not None:
            state["text"].append(text)

    def end(name: str) -> None:
        stack.pop()
        valute = state["valute"]
        if valute is None:
            return
        if len(stack) == 2 and state["text"] is not None:
            valute["fields"][name] = "".join(state["text"])
            state["text"] = None
        elif len(stack) == 1 and name == "Valute":
            state["count"] += 1
            rate = _valute_check(valute, problems, seen)
            if rate is not None:
                rates.append(rate)
            state["valute"] = None

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = chars
    feed(parser, data, final=True)
    if problems:
        raise FeedError("\n".join(problems))
    if not state["count"]:
        raise FeedError("в файле нет ни одного элемента <Valute>")
    return CbrRates(date=state["date"], rates=rates)
