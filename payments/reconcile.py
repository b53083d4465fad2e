"""Reconciling the post's cash-on-delivery remittance register with our collected COD payments.

The register is a CSV file, one line per remitted parcel. Columns (found by header name; order free, other columns
ignored, Russian or English names):

    ШПИ;Сумма наложенного платежа;Плата за пересылку;Дата перевода;Номер платёжного поручения
    80082516123458;1299,00;45,60;03.02.2026;417

- tracking number («ШПИ», «Трек-номер», tracking_number): the parcel's barcode, 13-character S10 or 14 digits;
- amount collected («Сумма наложенного платежа», «Сумма», amount): roubles, decimal comma or point, spaces allowed;
- fee («Плата за пересылку», «Комиссия», fee): what the post kept, may be empty (0);
- remittance date («Дата перевода», remitted_on): DD.MM.YYYY or YYYY-MM-DD;
- payment order number («Номер платёжного поручения», payment_order): the post's transfer that carried the money.

`;` or `,` delimited (with `,` a decimal comma must be quoted), UTF-8 (with or without BOM) or windows-1251: both
are detected from the file and may be forced.

Each line gets one outcome (CodLineOutcome): matched, amount mismatch (the amount differs from what we had to
collect), unknown tracking number, not collected (we know the parcel but have no collection recorded), duplicate in
file, already reconciled (the same tracking number and payment order were applied by an earlier load: a file loaded
twice never counts twice), already remitted (the parcel's
money came with another payment order), malformed (the line number and why; the other lines go on). Then every
collection older than STORE_COD_REMIT_DAYS with no remittance is listed as not remitted.

A collection's remittance is its applied line (matched or amount mismatch): at most one per collection, which the
partial unique index `codline_applied_once` guarantees whatever file or line brings the money again.

Speed (100,000 lines in seconds, benchmarks/README.md): the file is streamed; lines are matched in batches of 5,000
(one query per batch for their collections, an array parameter) and written with COPY; nothing else is updated. The
whole load is one transaction under an advisory lock, so two loads never interleave (the index is the backstop).
"""

from __future__ import annotations

import codecs
import csv
import functools
import hashlib
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext

from storefront.catalog.bulk import copy_insert
from storefront.core.money import format_money

from .models import CodCollection, CodLineOutcome, CodReconciliation, CodRemittanceLine, Payment

BATCH = 5000
SNIFF_BYTES = 64 * 1024
RAW_MAX = 500
ADVISORY_KEY = 0x434F4452  # "CODR": one reconciliation at a time

# Header names, normalised (lower case, ё -> е, letters and digits only) -> our field.
COLUMNS = {
    "tracking_number": (
        "шпи", "трекномер", "треккод", "почтовыйидентификатор", "номеротправления", "идентификатор",
        "tracking", "trackingnumber", "barcode",
    ),
    "amount": (
        "суммаоплаты", "сумманаложенногоплатежа", "суммаполученная", "суммаполученногоплатежа", "наложенныйплатеж",
        "сумманп", "сумма", "amount", "amountcollected", "cod", "codamount",
    ),
    "fee": ("платазапересылку", "платазаперевод", "плата", "комиссия", "удержано", "fee", "postalfee"),
    "remitted_on": (
        "датаперевода", "датаперечисления", "датаплатежногопоручения", "дата", "remittancedate", "remittedon", "date",
    ),
    "payment_order_number": (
        "номерплатежногопоручения", "платежноепоручение", "номерпоручения", "номерперевода",
        "paymentorder", "paymentordernumber",
    ),
}  # fmt: skip
EXPECTED_HEADER = "ШПИ;Сумма наложенного платежа;Плата за пересылку;Дата перевода;Номер платёжного поручения"
COLUMN_TITLES = dict(zip(COLUMNS, EXPECTED_HEADER.split(";"), strict=True))
HEADER_FIELDS = {alias: name for name, aliases in COLUMNS.items() for alias in aliases}
TRACKING_RE = re.compile(r"^(?:[A-Z]{2}\d{9}[A-Z]{2}|\d{14})$")
AMOUNT_RE = re.compile(r"^\d{1,10}(?:\.\d{1,2})?$")
DATE_FORMATS = ("%d.%m.%Y", "%Y-%m-%d", "%d/%m/%Y")


class RegisterInvalid(Exception):
    """The file as a whole cannot be read (no header, missing columns): nothing was loaded. The message is Russian."""


def _header_key(text: str) -> str:
    return "".join(ch for ch in text.lower().replace("ё", "е") if ch.isalnum())


@dataclass(slots=True)
class RegisterLine:
    line_no: int
    tracking_number: str
    amount: Decimal
    fee: Decimal
    remitted_on: date
    payment_order_number: str
    raw: str


@dataclass(slots=True)
class BadLine:
    line_no: int
    error: str
    raw: str


def detect_encoding(head: bytes) -> str:
    """utf-8 (a BOM or bytes that decode as UTF-8) or windows-1251 (anything else)."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)  # a cut character at the end is fine
    except UnicodeDecodeError:
        return "cp1251"
    return "utf-8"


def _parse_amount(text: str) -> Decimal | None:
    value = text.replace("\u00a0", "").replace(" ", "").replace(",", ".").strip()
    if not AMOUNT_RE.match(value):
        return None
    try:
        return Decimal(value)
    except InvalidOperation:
        return None


@functools.lru_cache(maxsize=1024)  # a register holds a handful of distinct dates
def _parse_date(text: str) -> date | None:
    value = text.strip()
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    return None


@dataclass
class Register:
    """A register file opened for streaming: the header is read and checked; iterate for RegisterLine / BadLine."""

    path: Path
    encoding: str
    delimiter: str
    columns: dict[str, int]
    width: int
    _bad_bytes: set[int] = field(default_factory=set)
    _raw: dict[int, str] = field(default_factory=dict)

    def _text_lines(self, handle) -> Iterator[str]:
        """Decode line by line: a line in another encoding is reported, not fatal."""
        for number, data in enumerate(handle, start=1):
            try:
                text = data.decode(self.encoding)
            except UnicodeDecodeError:
                text = data.decode(self.encoding, errors="replace")
                self._bad_bytes.add(number)
            self._raw[number] = text.rstrip("\r\n")
            yield text

    def __iter__(self) -> Iterator[RegisterLine | BadLine]:
        with self.path.open("rb") as handle:
            reader = csv.reader(self._text_lines(handle), delimiter=self.delimiter, quotechar='"', strict=True)
            first = True
            while True:
                try:
                    row = next(reader)
                except StopIteration:
                    return
                except csv.Error as exc:
                    yield BadLine(reader.line_num, gettext("не разобрать строку CSV: %(e)s") % {"e": exc}, "")
                    continue
                line_no = reader.line_num
                raw = self._raw.pop(line_no, "")[:RAW_MAX]
                self._raw.clear()
                if first:
                    first = False
                    continue  # the header, checked by register_open
                if not any(cell.strip() for cell in row):
                    continue
                yield self._line(line_no, row, raw)

    def _line(self, line_no: int, row: list[str], raw: str) -> RegisterLine | BadLine:
        if line_no in self._bad_bytes:
            return BadLine(line_no, gettext("символы не в кодировке %(enc)s") % {"enc": self.encoding}, raw)
        if len(row) != self.width:
            error = gettext("ожидалось полей: %(want)d, в строке: %(got)d") % {"want": self.width, "got": len(row)}
            if self.delimiter == "," and len(row) > self.width:
                error += gettext(" (дробная часть через запятую? возьмите сумму в кавычки или разделяйте поля «;»)")
            return BadLine(line_no, error, raw)
        cell = {name: row[index].strip() for name, index in self.columns.items()}
        errors = []
        tracking = "".join(cell["tracking_number"].split()).upper()
        if not tracking:
            errors.append(gettext("нет трек-номера"))
        elif not TRACKING_RE.match(tracking):
            message = gettext("трек-номер «%(v)s» не похож на ШПИ (13 знаков S10 или 14 цифр)")
            errors.append(message % {"v": tracking[:40]})
        amount = _parse_amount(cell["amount"])
        if amount is None or amount <= 0:
            errors.append(gettext("сумма «%(v)s» — не положительное число с копейками") % {"v": cell["amount"][:40]})
        fee = _parse_amount(cell["fee"]) if cell["fee"] else Decimal(0)
        if fee is None:
            errors.append(gettext("плата «%(v)s» — не число") % {"v": cell["fee"][:40]})
        elif amount is not None and fee > amount:
            errors.append(gettext("плата больше суммы"))
        remitted_on = _parse_date(cell["remitted_on"])
        if remitted_on is None:
            errors.append(gettext("дата «%(v)s» — не ДД.ММ.ГГГГ") % {"v": cell["remitted_on"][:40]})
        order_number = cell["payment_order_number"]
        if not order_number:
            errors.append(gettext("нет номера платёжного поручения"))
        elif len(order_number) > 32:
            errors.append(gettext("номер платёжного поручения длиннее 32 знаков"))
        if errors:
            return BadLine(line_no, "; ".join(errors), raw)
        return RegisterLine(line_no, tracking, amount, fee, remitted_on, order_number, raw)


def register_open(path, *, encoding: str | None = None, delimiter: str | None = None) -> Register:
    """Open a register: detect the encoding and the delimiter, find the columns. Raises RegisterInvalid."""
    path = Path(path)
    with path.open("rb") as handle:
        head = handle.read(SNIFF_BYTES)
    if not head.strip():
        raise RegisterInvalid(gettext("Файл пуст."))
    encoding = encoding or detect_encoding(head)
    first_line = head.split(b"\n", 1)[0].decode(encoding, errors="replace").lstrip("\ufeff")
    if delimiter is None:
        delimiter = ";" if first_line.count(";") >= first_line.count(",") else ","
    header = next(csv.reader([first_line], delimiter=delimiter))
    columns: dict[str, int] = {}
    for index, name in enumerate(header):
        field_name = HEADER_FIELDS.get(_header_key(name))
        if field_name and field_name not in columns:
            columns[field_name] = index
    missing = [name for name in COLUMNS if name not in columns]
    if missing:
        raise RegisterInvalid(
            gettext("В первой строке нет столбцов: %(missing)s. Ожидаются: %(expected)s. Прочитано: %(header)s.")
            % {
                "missing": ", ".join(f"«{COLUMN_TITLES[name]}»" for name in missing),
                "expected": EXPECTED_HEADER,
                "header": first_line[:200],
            }
        )
    return Register(path=path, encoding=encoding, delimiter=delimiter, columns=columns, width=len(header))


def file_sha256(path) -> str:
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


# --- matching ---------------------------------------------------------------------------------------------------------


# The columns a line is written with (COPY, payments_codremittanceline), in this order.
LINE_FIELDS = (
    "reconciliation", "line_no", "outcome", "applied", "tracking_number", "payment_order_number", "amount", "fee",
    "remitted_on", "collection", "expected_amount", "error", "raw",
)  # fmt: skip


@dataclass(slots=True)
class _Known:
    """What a batch needs to know about one collection (one row of `_collections_by_tracking`)."""

    id: int
    collected: bool
    amount: Decimal
    status: str
    remitted_order: str | None  # the payment order of the line that remitted it, if any
    remitted_where: tuple[int, int | None] | None  # (reconciliation id, line number) of that line


class _Run:
    """One reconciliation in progress: counters, lines seen in this file, the batch being matched."""

    def __init__(self, recon: CodReconciliation) -> None:
        self.recon = recon
        self.counts: Counter[str] = Counter()
        self.seen: dict[str, int] = {}  # tracking number -> its first line in this file
        self.amount_total = Decimal(0)
        self.fee_total = Decimal(0)
        self.applied_amount = Decimal(0)
        self.lines_total = 0

    def flush(self, batch: list[RegisterLine | BadLine]) -> None:
        rows: list[tuple] = []
        first_seen: list[RegisterLine] = []
        for item in batch:
            self.lines_total += 1
            if isinstance(item, BadLine):
                rows.append(self._row(item, CodLineOutcome.MALFORMED, error=item.error))
                continue
            self.amount_total += item.amount
            self.fee_total += item.fee
            earlier = self.seen.get(item.tracking_number)
            if earlier is not None:
                note = gettext("этот трек-номер уже был в строке %(n)d") % {"n": earlier}
                rows.append(self._row(item, CodLineOutcome.DUPLICATE_IN_FILE, error=note))
                continue
            self.seen[item.tracking_number] = item.line_no
            first_seen.append(item)
        known = _collections_by_tracking([item.tracking_number for item in first_seen])
        rows.extend(self._match(item, known.get(item.tracking_number)) for item in first_seen)
        copy_insert(CodRemittanceLine, LINE_FIELDS, rows)

    def _row(
        self,
        item: RegisterLine | BadLine,
        outcome: str,
        *,
        error: str = "",
        applied: bool = False,
        known: _Known | None = None,
    ) -> tuple:
        self.counts[outcome] += 1
        collection, expected = (known.id, known.amount) if known is not None else (None, None)
        if isinstance(item, BadLine):
            return (self.recon.pk, item.line_no, outcome, False, "", "", None, None, None, None, None, error, item.raw)
        if applied:
            self.applied_amount += item.amount
        return (
            self.recon.pk, item.line_no, outcome, applied, item.tracking_number, item.payment_order_number,
            item.amount, item.fee, item.remitted_on, collection, expected, error[:255], item.raw,
        )  # fmt: skip

    def _match(self, item: RegisterLine, known: _Known | None) -> tuple:
        if known is None:
            return self._row(item, CodLineOutcome.UNKNOWN_TRACKING)
        if known.remitted_where is not None:
            where = gettext("сверка №%(r)s, строка %(n)s") % {
                "r": known.remitted_where[0],
                "n": known.remitted_where[1],
            }
            if known.remitted_order == item.payment_order_number:
                return self._row(item, CodLineOutcome.ALREADY_RECONCILED, error=where, known=known)
            note = gettext("уже перечислен поручением %(p)s (%(where)s)") % {
                "p": known.remitted_order,
                "where": where,
            }
            return self._row(item, CodLineOutcome.ALREADY_REMITTED, error=note, known=known)
        if not known.collected:
            note = gettext("статус платежа у нас: %(s)s") % {"s": known.status}
            return self._row(item, CodLineOutcome.NOT_COLLECTED, error=note, known=known)
        if item.amount != known.amount:
            note = gettext("разница %(d)s") % {"d": format_money(item.amount - known.amount)}
            return self._row(item, CodLineOutcome.AMOUNT_MISMATCH, applied=True, error=note, known=known)
        return self._row(item, CodLineOutcome.MATCHED, applied=True, known=known)

    def not_remitted(self, *, days: int, now: datetime) -> None:
        """Collections the post has had longer than `days` with no remittance line yet."""
        cutoff = now - timedelta(days=days)
        remitted = CodRemittanceLine.objects.filter(collection=OuterRef("pk"), applied=True)
        overdue = (
            CodCollection.objects.filter(collected_at__lt=cutoff)
            .exclude(Exists(remitted))
            .values_list("id", "tracking_number", "amount", "collected_at")
            .order_by("collected_at", "id")
        )

        def rows(found):
            for pk, tracking, amount, collected_at in found:
                self.counts[CodLineOutcome.NOT_REMITTED] += 1
                note = gettext("получен %(d)s, прошло дней: %(n)d") % {
                    "d": timezone.localtime(collected_at).strftime("%d.%m.%Y"),
                    "n": (now - collected_at).days,
                }
                yield (
                    self.recon.pk, None, CodLineOutcome.NOT_REMITTED, False, tracking or "", "", None, None, None, pk,
                    amount, note, "",
                )  # fmt: skip

        # read first: no other query may run on the connection while COPY is open
        copy_insert(CodRemittanceLine, LINE_FIELDS, rows(list(overdue)))


def _collections_by_tracking(numbers: list[str]) -> dict[str, _Known]:
    """The collections of these tracking numbers: one query (an array parameter, not thousands of placeholders)."""
    if not numbers:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(
            f"""SELECT c.tracking_number, c.id, c.collected_at IS NOT NULL, c.amount, p.status,
                       l.payment_order_number, l.reconciliation_id, l.line_no
                FROM {CodCollection._meta.db_table} c
                JOIN {Payment._meta.db_table} p ON p.id = c.payment_id
                LEFT JOIN {CodRemittanceLine._meta.db_table} l ON l.collection_id = c.id AND l.applied
                WHERE c.tracking_number = ANY(%s)""",
            [numbers],
        )
        return {
            tracking: _Known(pk, collected, amount, status, order, (recon, line_no) if recon is not None else None)
            for tracking, pk, collected, amount, status, order, recon, line_no in cursor.fetchall()
        }


def cod_reconcile(
    *,
    path,
    actor=None,
    actor_label: str = "",
    remit_days: int | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
    batch_size: int = BATCH,
) -> CodReconciliation:
    """Load one remittance register and match it (see the module's docstring). Raises RegisterInvalid (nothing
    saved) when the file as a whole cannot be read; bad lines are saved as malformed with their line number."""
    register = register_open(path, encoding=encoding, delimiter=delimiter)
    digest = file_sha256(path)
    days = settings.STORE_COD_REMIT_DAYS if remit_days is None else remit_days
    with transaction.atomic(durable=True):
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ADVISORY_KEY])
        recon = CodReconciliation.objects.create(
            file_name=Path(path).name[:255],
            file_sha256=digest,
            encoding=register.encoding,
            delimiter=register.delimiter,
            remit_days=days,
            actor=actor if getattr(actor, "pk", None) else None,
            actor_label=actor_label[:64],
        )
        run = _Run(recon)
        batch: list[RegisterLine | BadLine] = []
        for item in register:
            batch.append(item)
            if len(batch) >= batch_size:
                run.flush(batch)
                batch = []
        run.flush(batch)
        now = timezone.now()
        run.not_remitted(days=days, now=now)
        recon.lines_total = run.lines_total
        recon.counts = {outcome: run.counts.get(outcome, 0) for outcome in CodLineOutcome.values}
        recon.amount_total = run.amount_total
        recon.fee_total = run.fee_total
        recon.applied_amount = run.applied_amount
        recon.finished_at = timezone.now()
        recon.save(
            update_fields=["lines_total", "counts", "amount_total", "fee_total", "applied_amount", "finished_at"]
        )
    return recon


# --- reads for the report -------------------------------------------------------------------------------------------


def reconciliation_earlier_loads(*, recon: CodReconciliation) -> list[CodReconciliation]:
    """Earlier loads of the very same file (by its SHA-256)."""
    return list(
        CodReconciliation.objects.filter(file_sha256=recon.file_sha256, started_at__lt=recon.started_at).order_by(
            "started_at"
        )
    )


def reconciliation_lines(*, recon: CodReconciliation, outcomes, limit: int) -> list[CodRemittanceLine]:
    """The first `limit` lines of these outcomes, in file order (then the not-remitted ones)."""
    return list(recon.lines.filter(outcome__in=list(outcomes)).order_by("line_no", "id")[:limit])
