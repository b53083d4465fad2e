"""SOAP on the sandbox's side: parsing requests (xml.etree, no DTDs) and writing answers as escaped text.

Answers are written as strings rather than trees: a batch answer holds 500 parcels' histories and is built
many times a second in the benchmark. Every value goes through `escape`/`quoteattr`.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable
from datetime import UTC, datetime
from xml.sax.saxutils import escape, quoteattr
from zoneinfo import ZoneInfo

from .journeys import COUNTRIES, CodEvent, Op, ParcelSpec

SOAP11 = "http://schemas.xmlsoap.org/soap/envelope/"
SOAP12 = "http://www.w3.org/2003/05/soap-envelope"
OPER = "http://russianpost.org/operationhistory"
DATA = "http://russianpost.org/operationhistory/data"
ESPP = "http://www.russianpost.org/RTM/DataExchangeESPP/Data"
POS = "http://fclient.russianpost.org/postserver"
FCL = "http://fclient.russianpost.org"

BATCH_ERRORS = {
    2: "Формат данных запроса не соответствует установленному настоящим протоколом",
    3: "Неуспешная авторизация клиента при вызове метода",
    6: "Ответ по билету ещё не готов",
    12: "Информация о заданном идентификаторе отправления отсутствует",
    16: "Внутренняя ошибка работы Сервиса отслеживания",
    17: "Время хранения ответа по билету истекло, ответ был удален с сервера",
    18: "Превышено максимально допустимое количество отправлений в запросе",
    20: "Недопустимый идентификатор языка",
    21: "Длина одного или нескольких из запрошенных идентификаторов отправлений превышает максимальный размер",
    22: "Длина имени файла превышает максимальный размер",
}


class BadRequest(Exception):
    """The body is not a SOAP envelope we understand."""


def parse(body: bytes) -> ET.Element:
    """The SOAP Body's first child. DTDs and entities are refused outright (no billion laughs, no XXE)."""
    if b"<!DOCTYPE" in body[:2048].upper() or b"<!ENTITY" in body.upper():
        raise BadRequest("DTDs are not accepted")
    try:
        root = ET.fromstring(body)
    except ET.ParseError as exc:
        raise BadRequest(f"not XML: {exc}") from exc
    for ns in (SOAP11, SOAP12):
        body_el = root.find(f"{{{ns}}}Body")
        if body_el is not None and len(body_el):
            return body_el[0]
    raise BadRequest("no SOAP Body")


def soap_version(body: bytes) -> int:
    return 12 if SOAP12.encode() in body[:4096] else 11


def text(el: ET.Element | None, path: str, default: str = "") -> str:
    """Text of a child found by local name (namespace-agnostic: clients disagree on qualifying these)."""
    if el is None:
        return default
    for child in el.iter():
        if child is not el and child.tag.rsplit("}", 1)[-1] == path:
            return (child.text or "").strip()
    return default


def find(el: ET.Element, name: str) -> ET.Element | None:
    for child in el.iter():
        if child.tag.rsplit("}", 1)[-1] == name:
            return child
    return None


def findall(el: ET.Element, name: str) -> list[ET.Element]:
    return [child for child in el.iter() if child.tag.rsplit("}", 1)[-1] == name]


# --- envelopes
def envelope11(inner: str) -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><S:Envelope xmlns:S="{SOAP11}"><S:Body>{inner}</S:Body></S:Envelope>'
    ).encode()


def envelope12(inner: str) -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><S:Envelope xmlns:S="{SOAP12}"><S:Body>{inner}</S:Body></S:Envelope>'
    ).encode()


def fault11(code: str, message: str) -> bytes:
    return envelope11(f"<S:Fault><faultcode>S:{code}</faultcode><faultstring>{escape(message)}</faultstring></S:Fault>")


def fault12(detail: str, message: str, *, code: str = "Receiver") -> bytes:
    """A SOAP 1.2 fault whose detail names the partner's fault element (AuthorizationFault, OperationHistoryFault…)."""
    return envelope12(
        f"<S:Fault><S:Code><S:Value>S:{code}</S:Value></S:Code>"
        f'<S:Reason><S:Text xml:lang="ru">{escape(message)}</S:Text></S:Reason>'
        f'<S:Detail><ns3:{detail} xmlns:ns3="{DATA}">{escape(message)}</ns3:{detail}></S:Detail></S:Fault>'
    )


# --- batch service (SOAP 1.1)
def _error_attrs(code: int) -> str:
    return f"ErrorTypeID={quoteattr(str(code))} ErrorName={quoteattr(BATCH_ERRORS[code])}"


def ticket_response(ticket: str) -> bytes:
    inner = f"<value>{escape(ticket)}</value>"
    return envelope11(f'<ns2:ticketResponse xmlns:ns2="{POS}" xmlns:ns3="{FCL}">{inner}</ns2:ticketResponse>')


def batch_error(method: str, code: int) -> bytes:
    """Whole-request error of getTicket (ticketResponse) or getResponseByTicket (answerByTicketResponse)."""
    return envelope11(f'<ns2:{method} xmlns:ns2="{POS}" xmlns:ns3="{FCL}"><error {_error_attrs(code)}/></ns2:{method}>')


def batch_operation(op: Op) -> str:
    return (
        f'<ns3:Operation OperTypeID="{op.type}" OperCtgID="{op.attr}" OperName={quoteattr(op.type_name())} '
        f'DateOper="{op.local().strftime("%d.%m.%Y %H:%M:%S")}" IndexOper={quoteattr(op.place.index)}/>'
    )


def answer_response(prepared: str, items: Iterable[tuple[str, list[Op] | int]], *, corrupt: bool = False) -> bytes:
    """items: (barcode, operations) or (barcode, error code). `corrupt` breaks one record (fault injection)."""
    parts = [
        f'<ns2:answerByTicketResponse xmlns:ns2="{POS}" xmlns:ns3="{FCL}">'
        f'<value FileName="" FileTypeID="2" FileNumber="1" RecipientID="1" DatePreparation={quoteattr(prepared)}>'
    ]
    for barcode, content in items:
        parts.append(f"<ns3:Item Barcode={quoteattr(barcode)}>")
        if isinstance(content, int):
            parts.append(f"<ns3:Error {_error_attrs(content)}/>")
        else:
            for op in content:
                if corrupt:
                    parts.append('<ns3:Operation OperTypeID="восемь" OperCtgID="" DateOper="31.02.2024 25:61:00"/>')
                    corrupt = False
                    continue
                parts.append(batch_operation(op))
        parts.append("</ns3:Item>")
    parts.append("</value></ns2:answerByTicketResponse>")
    return envelope11("".join(parts))


# --- single access (SOAP 1.2)
def _country(alpha2: str, tag: str) -> str:
    num, alpha3, name_ru, name_en, _zone = COUNTRIES[alpha2]
    return (
        f"<ns3:{tag}><ns3:Id>{num}</ns3:Id><ns3:Code2A>{alpha2}</ns3:Code2A><ns3:Code3A>{alpha3}</ns3:Code3A>"
        f"<ns3:NameRU>{escape(name_ru)}</ns3:NameRU><ns3:NameEN>{escape(name_en)}</ns3:NameEN></ns3:{tag}>"
    )


def _address(tag: str, index: str, description: str) -> str:
    index_el = f"<ns3:Index>{escape(index)}</ns3:Index>" if index else ""
    return f"<ns3:{tag}>{index_el}<ns3:Description>{escape(description)}</ns3:Description></ns3:{tag}>"


def history_record(op: Op, spec: ParcelSpec, origin: str, lang: str) -> str:
    category = (4, "С объявленной ценностью и наложенным платежом") if spec.cod_kopecks else (2, "Заказное")
    attr_name = op.attr_name(lang)
    return (
        "<ns3:historyRecord><ns3:AddressParameters>"
        + _address("DestinationAddress", spec.index_to, f"Отделение почтовой связи {spec.index_to}")
        + _address("OperationAddress", op.place.index, op.place.description)
        + _country("RU", "MailDirect")
        + _country(origin, "CountryFrom")
        + _country(op.place.country, "CountryOper")
        + "</ns3:AddressParameters><ns3:FinanceParameters>"
        f"<ns3:Payment>{spec.cod_kopecks}</ns3:Payment><ns3:Value>{spec.value_kopecks}</ns3:Value>"
        "<ns3:MassRate>0</ns3:MassRate><ns3:InsrRate>0</ns3:InsrRate><ns3:AirRate>0</ns3:AirRate>"
        "<ns3:Rate>0</ns3:Rate><ns3:CustomDuty>0</ns3:CustomDuty></ns3:FinanceParameters>"
        f"<ns3:ItemParameters><ns3:Barcode>{escape(spec.barcode)}</ns3:Barcode>"
        "<ns3:ValidRuType>false</ns3:ValidRuType><ns3:ValidEnType>true</ns3:ValidEnType>"
        "<ns3:MailRank><ns3:Id>0</ns3:Id><ns3:Name>Без разряда</ns3:Name></ns3:MailRank>"
        "<ns3:PostMark><ns3:Id>0</ns3:Id><ns3:Name>Без отметки</ns3:Name></ns3:PostMark>"
        "<ns3:MailType><ns3:Id>4</ns3:Id><ns3:Name>Посылка</ns3:Name></ns3:MailType>"
        f"<ns3:MailCtg><ns3:Id>{category[0]}</ns3:Id><ns3:Name>{escape(category[1])}</ns3:Name></ns3:MailCtg>"
        f"<ns3:Mass>{spec.mass}</ns3:Mass></ns3:ItemParameters>"
        "<ns3:OperationParameters>"
        f"<ns3:OperType><ns3:Id>{op.type}</ns3:Id><ns3:Name>{escape(op.type_name(lang))}</ns3:Name></ns3:OperType>"
        f"<ns3:OperAttr><ns3:Id>{op.attr}</ns3:Id><ns3:Name>{escape(attr_name)}</ns3:Name></ns3:OperAttr>"
        f"<ns3:OperDate>{op.local().isoformat(timespec='milliseconds')}</ns3:OperDate>"
        "</ns3:OperationParameters><ns3:UserParameters>"
        "<ns3:SendCtg><ns3:Id>2</ns3:Id><ns3:Name>Организация</ns3:Name></ns3:SendCtg>"
        f"<ns3:Sndr>ИНТЕРНЕТ-МАГАЗИН</ns3:Sndr><ns3:Rcpn>{escape(spec.recipient)}</ns3:Rcpn>"
        "</ns3:UserParameters></ns3:historyRecord>"
    )


def _single_namespaces() -> str:
    return f'xmlns:ns3="{DATA}" xmlns:ns4="{SOAP11}" xmlns:ns6="{ESPP}" xmlns:ns7="{OPER}"'


def history_response(records: list[str]) -> bytes:
    return envelope12(
        f"<ns7:getOperationHistoryResponse {_single_namespaces()}><ns3:OperationHistoryData>"
        + "".join(records)
        + "</ns3:OperationHistoryData></ns7:getOperationHistoryResponse>"
    )


def cod_response(events: list[CodEvent]) -> bytes:
    rows = "".join(
        f"<PostalOrderEvent Number={quoteattr(e.number)} "
        f'EventDateTime="{_moscow_iso(e.at)}" EventType="{e.event_type}" EventName={quoteattr(e.name)} '
        f"IndexTo={quoteattr(e.index_to)} IndexEvent={quoteattr(e.index_event)} "
        f'SumPaymentForward="{e.kopecks}" CountryEventCode="RU" CountryToCode="RU"/>'
        for e in events
    )
    return envelope12(
        f"<ns7:PostalOrderEventsForMailResponse {_single_namespaces()}>"
        f"<ns6:PostalOrderEventsForMaiOutput>{rows}</ns6:PostalOrderEventsForMaiOutput>"
        "</ns7:PostalOrderEventsForMailResponse>"
    )


def _moscow_iso(at: float) -> str:
    return datetime.fromtimestamp(at, UTC).astimezone(ZoneInfo("Europe/Moscow")).isoformat(timespec="milliseconds")
