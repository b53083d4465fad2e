"""Reading the postal partner's SOAP answers defensively (DOMAIN.md 1).

Anything from the partner is untrusted input: no DTDs or entities; an unreadable envelope is MalformedAnswer
(a PartnerUnavailable: the client retries, then the sync gives up on that one ticket, not the pass); inside a
readable answer a malformed record is logged with where and why and skipped — never taking the other records or
parcels down with it.
"""

from __future__ import annotations

import logging
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import datetime

from .exceptions import (
    MalformedAnswer,
    PartnerAuthError,
    PartnerError,
    PartnerUnavailable,
    TicketExpired,
    TicketNotReady,
)
from .timezones import zone_for_index

log = logging.getLogger("logistics.postal")

SOAP11 = "http://schemas.xmlsoap.org/soap/envelope/"
SOAP12 = "http://www.w3.org/2003/05/soap-envelope"
BATCH_DATE = "%d.%m.%Y %H:%M:%S"
AUTH_ERROR = 3
NOT_READY = 6
NO_DATA = 12
INTERNAL_ERROR = 16
EXPIRED = 17


@dataclass(frozen=True, slots=True)
class PartnerEvent:
    """One operation on one item, as the partner reported it (codes raw, time aware)."""

    barcode: str
    oper_type: int
    oper_attr: int
    name: str
    occurred_at: datetime
    index: str
    raw: dict


@dataclass(slots=True)
class ItemAnswer:
    barcode: str
    events: list[PartnerEvent] = field(default_factory=list)
    error_code: int | None = None  # 12: the partner has no data for it (yet); anything else: retry the barcode
    error_name: str = ""


@dataclass(slots=True)
class BatchAnswer:
    prepared: str
    items: list[ItemAnswer]
    skipped: int = 0  # malformed records left out (logged)


@dataclass(frozen=True, slots=True)
class CodEvent:
    number: str
    event_type: int
    name: str
    occurred_at: datetime
    index_event: str
    kopecks: int


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _children(el: ET.Element, name: str) -> list[ET.Element]:
    return [child for child in el if _local(child.tag) == name]


def _child(el: ET.Element | None, *path: str) -> ET.Element | None:
    for name in path:
        if el is None:
            return None
        el = next((child for child in el if _local(child.tag) == name), None)
    return el


def _text(el: ET.Element | None, *path: str) -> str:
    found = _child(el, *path) if path else el
    return (found.text or "").strip() if found is not None else ""


def envelope_body(body: bytes) -> ET.Element:
    """The first element inside soap:Body, after turning a SOAP Fault into our exceptions."""
    head = body[:4096].upper()
    if b"<!DOCTYPE" in head or b"<!ENTITY" in body.upper():
        raise MalformedAnswer("partner answer carries a DTD; refused")
    try:
        root = ET.fromstring(body)
    except ET.ParseError as exc:
        raise MalformedAnswer(f"partner answer is not XML: {exc}") from exc
    soap_body = next((child for child in root if _local(child.tag) == "Body"), None)
    if _local(root.tag) != "Envelope" or soap_body is None or not len(soap_body):
        raise MalformedAnswer("partner answer is not a SOAP envelope")
    first = soap_body[0]
    if _local(first.tag) == "Fault":
        _raise_fault(first)
    return first


def _raise_fault(fault: ET.Element) -> None:
    detail = _child(fault, "Detail")
    if detail is None:
        detail = _child(fault, "detail")
    kind = _local(detail[0].tag) if detail is not None and len(detail) else ""
    message = _text(fault, "Reason", "Text") or _text(fault, "faultstring") or kind or "SOAP fault"
    if kind == "AuthorizationFault":
        raise PartnerAuthError(message)
    if kind in ("OperationHistoryFault", "LanguageFault"):
        raise PartnerError(kind, message)
    raise PartnerUnavailable(f"SOAP fault: {message}")


def _batch_error(response: ET.Element) -> None:
    error = _child(response, "error")
    if error is None:
        return
    try:
        code = int(error.get("ErrorTypeID", ""))
    except ValueError:
        raise PartnerUnavailable(f"batch error without a code: {ET.tostring(error)[:200]!r}") from None
    name = error.get("ErrorName", "")
    if code == AUTH_ERROR:
        raise PartnerAuthError(name)
    if code == NOT_READY:
        raise TicketNotReady(code, name)
    if code == EXPIRED:
        raise TicketExpired(code, name)
    if code == INTERNAL_ERROR:
        raise PartnerUnavailable(f"partner internal error: {name}")
    raise PartnerError(code, name)


def parse_ticket(body: bytes) -> str:
    response = envelope_body(body)
    _batch_error(response)
    ticket = _text(response, "value")
    if not ticket or len(ticket) > 64:
        raise MalformedAnswer("getTicket answer without a ticket")
    return ticket


def parse_batch_answer(body: bytes) -> BatchAnswer:
    response = envelope_body(body)
    _batch_error(response)
    value = _child(response, "value")
    if value is None:
        raise MalformedAnswer("getResponseByTicket answer without a value")
    answer = BatchAnswer(prepared=value.get("DatePreparation", ""), items=[])
    for item_el in _children(value, "Item"):
        barcode = (item_el.get("Barcode") or "").strip().upper()
        if not barcode:
            answer.skipped += 1
            log.warning("postal batch item without a barcode skipped", extra={"ticket_prepared": answer.prepared})
            continue
        item = ItemAnswer(barcode=barcode)
        error_el = _child(item_el, "Error")
        if error_el is not None:
            try:
                item.error_code = int(error_el.get("ErrorTypeID", ""))
            except ValueError:
                item.error_code = INTERNAL_ERROR
            item.error_name = error_el.get("ErrorName", "")
        for op in _children(item_el, "Operation"):
            try:
                item.events.append(_batch_event(barcode, op.attrib))
            except (ValueError, TypeError) as exc:
                answer.skipped += 1
                log.warning(
                    "malformed postal operation skipped",
                    extra={"barcode": barcode, "why": str(exc), "record": dict(op.attrib)},
                )
        answer.items.append(item)
    return answer


def _batch_event(barcode: str, attrs: dict) -> PartnerEvent:
    oper_type = int(attrs["OperTypeID"]) if attrs.get("OperTypeID") else None
    if oper_type is None or oper_type < 0:
        raise ValueError("no OperTypeID")
    oper_attr = int(attrs.get("OperCtgID") or 0)  # types without attributes come with an empty or no OperCtgID
    index = (attrs.get("IndexOper") or "").strip()
    # DateOper is the office's local time without an offset: the office's zone from its index, else Moscow
    # (operations abroad carry no index and are read as Moscow time, up to a few hours off).
    when = datetime.strptime(attrs.get("DateOper", ""), BATCH_DATE).replace(tzinfo=zone_for_index(index))
    return PartnerEvent(
        barcode=barcode,
        oper_type=oper_type,
        oper_attr=oper_attr,
        name=(attrs.get("OperName") or "")[:200],
        occurred_at=when,
        index=index[:6] if index.isdigit() else "",
        raw=dict(attrs),
    )


def parse_history(body: bytes, *, barcode: str) -> list[PartnerEvent]:
    response = envelope_body(body)
    data = _child(response, "OperationHistoryData")
    if data is None:
        raise MalformedAnswer("getOperationHistory answer without OperationHistoryData")
    events = []
    for record in _children(data, "historyRecord"):
        try:
            events.append(_history_event(barcode, record))
        except (ValueError, TypeError) as exc:
            log.warning(
                "malformed postal history record skipped",
                extra={"barcode": barcode, "why": str(exc), "record": ET.tostring(record, encoding="unicode")[:500]},
            )
    return events


def _history_event(barcode: str, record: ET.Element) -> PartnerEvent:
    params = _child(record, "OperationParameters")
    oper_type = int(_text(params, "OperType", "Id"))
    oper_attr = int(_text(params, "OperAttr", "Id") or 0)
    when = datetime.fromisoformat(_text(params, "OperDate"))
    if when.tzinfo is None:
        raise ValueError("OperDate without an offset")
    index = _text(record, "AddressParameters", "OperationAddress", "Index")
    type_name = _text(params, "OperType", "Name")
    raw = {
        "OperType": type_name,
        "OperAttr": _text(params, "OperAttr", "Name"),
        "OperDate": _text(params, "OperDate"),
        "Index": index,
        "Description": _text(record, "AddressParameters", "OperationAddress", "Description"),
        "CountryOper": _text(record, "AddressParameters", "CountryOper", "Code2A"),
        "Payment": _text(record, "FinanceParameters", "Payment"),
        "Value": _text(record, "FinanceParameters", "Value"),
        "Mass": _text(record, "ItemParameters", "Mass"),
    }
    return PartnerEvent(
        barcode=(_text(record, "ItemParameters", "Barcode") or barcode).upper(),
        oper_type=oper_type,
        oper_attr=oper_attr,
        name=type_name[:200],
        occurred_at=when,
        index=index[:6] if index.isdigit() else "",
        raw={k: v for k, v in raw.items() if v},
    )


def parse_cod_events(body: bytes) -> list[CodEvent]:
    response = envelope_body(body)
    output = _child(response, "PostalOrderEventsForMaiOutput")  # sic: the partner's spelling
    if output is None:
        output = _child(response, "PostalOrderEventsForMailOutput")
    if output is None:
        raise MalformedAnswer("PostalOrderEventsForMail answer without its output")
    events = []
    for el in _children(output, "PostalOrderEvent"):
        try:
            events.append(
                CodEvent(
                    number=el.get("Number", ""),
                    event_type=int(el.get("EventType", "")),
                    name=el.get("EventName", ""),
                    occurred_at=datetime.fromisoformat(el.get("EventDateTime", "")),
                    index_event=el.get("IndexEvent", ""),
                    kopecks=int(el.get("SumPaymentForward") or 0),
                )
            )
        except ValueError as exc:
            log.warning("malformed COD event skipped", extra={"why": str(exc), "record": dict(el.attrib)})
    return events
