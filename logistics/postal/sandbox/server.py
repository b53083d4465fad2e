"""HTTP front of the postal sandbox.

POST /rtm34                   single access, SOAP 1.2: getOperationHistory, PostalOrderEventsForMail
POST /fc                      batch access, SOAP 1.1: getTicket (ticketRequest), getResponseByTicket
PUT  /1.0/user/backlog        Otpravka: create orders, barcodes assigned at once
GET  /1.0/backlog/{id}        Otpravka: one order;  GET /1.0/backlog/search?query=<order-num>
/sandbox/...                  JSON controls for tests and the demo (no auth: the sandbox listens on loopback):
  GET  /sandbox/clock                      {"now": ISO, "epoch": s, "speed": n}
  POST /sandbox/clock                      {"advance_seconds": s} | {"speed": n} | {"set": ISO}
  POST /sandbox/parcels                    {"barcode", "scenario", "kind", "index_to", "cod_kopecks", "start"} or a list
  GET  /sandbox/parcels/{barcode}          the parcel and its operations so far
  POST /sandbox/faults                     {"fault": kind, "service": batch|single|otpravka|any, "times",
                                           "seconds", "count"}
  DELETE /sandbox/faults                   disarm all
  POST /sandbox/reset                      forget everything (clock keeps running)
  GET  /sandbox/stats                      request counters (polls too early/too often, faults used…)
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
import logging
import re
import threading
import time
import xml.etree.ElementTree as ET
from datetime import datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

from . import soap
from .clock import SandboxClock
from .journeys import cod_events_until, operations_until
from .state import BatchError, Fault, SandboxState

log = logging.getLogger("logistics.postal.sandbox")
MAX_BODY = 8 << 20
TRANSPORT_FAULTS = {"http_500", "http_503", "timeout", "reset", "malformed"}


class PostSandboxServer:
    """State + HTTP server. `start()` serves in a background thread (tests); `serve_forever()` blocks."""

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        login: str,
        password: str,
        token: str,
        speed: float = 1.0,
        state_file: Path | None = None,
    ) -> None:
        self.clock = SandboxClock(speed=speed)
        self.state = SandboxState(login=login, password=password, token=token, clock=self.clock, state_file=state_file)
        self.httpd = ThreadingHTTPServer((host, port), _Handler)
        self.httpd.daemon_threads = True
        self.httpd.request_queue_size = 64
        self.httpd.sandbox = self  # type: ignore[attr-defined]
        bound_host, bound_port = self.httpd.server_address[:2]
        self.base_url = f"http://{bound_host}:{bound_port}"
        self._serving = False
        self._stop = threading.Event()

    @property
    def single_url(self) -> str:
        return f"{self.base_url}/rtm34"

    @property
    def batch_url(self) -> str:
        return f"{self.base_url}/fc"

    @property
    def otpravka_url(self) -> str:
        return f"{self.base_url}/1.0/"

    def start(self) -> PostSandboxServer:
        threading.Thread(target=self.serve_forever, name="post-sandbox", daemon=True).start()
        return self

    def serve_forever(self) -> None:
        self._serving = True
        threading.Thread(target=self._saver, name="post-sandbox-saver", daemon=True).start()
        self.httpd.serve_forever()

    def stop(self) -> None:
        self._stop.set()
        if self._serving:
            self.httpd.shutdown()
        self.httpd.server_close()
        self.state.save_if_dirty()

    def _saver(self) -> None:
        while not self._stop.wait(2.0):
            self.state.save_if_dirty()


class _Handler(BaseHTTPRequestHandler):
    server_version = "PostSandbox/1.0"
    protocol_version = "HTTP/1.1"

    @property
    def sandbox(self) -> PostSandboxServer:
        return self.server.sandbox  # type: ignore[attr-defined]

    @property
    def state(self) -> SandboxState:
        return self.sandbox.state

    def log_message(self, format: str, *args) -> None:
        log.debug("%s %s", self.address_string(), format % args)

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_PUT(self) -> None:
        self._dispatch("PUT")

    def do_DELETE(self) -> None:
        self._dispatch("DELETE")

    # --- plumbing
    def _dispatch(self, method: str) -> None:
        url = urlsplit(self.path)
        path = url.path.rstrip("/") or "/"
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            self._send(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, b"too large", "text/plain")
            return
        body = self.rfile.read(length) if length else b""
        service = {"/rtm34": "single", "/fc": "batch"}.get(path, "otpravka" if path.startswith("/1.0/") else "")
        self.state.stats.counts[f"{service or 'control'}_requests"] += 1
        fault = self.state.fault_take(service, TRANSPORT_FAULTS) if service else None
        if fault and fault.kind == "reset":
            self.close_connection = True
            return
        if fault and fault.kind in ("http_500", "http_503"):
            status = 500 if fault.kind == "http_500" else 503
            self._send(status, b"<html><body>Service Temporarily Unavailable</body></html>", "text/html")
            return
        if fault and fault.kind == "timeout":
            time.sleep(fault.seconds or 5.0)
        truncate = bool(fault and fault.kind == "malformed")
        try:
            if method == "POST" and path == "/rtm34":
                self._single(body, truncate)
            elif method == "POST" and path == "/fc":
                self._batch(body, truncate)
            elif path.startswith("/1.0/"):
                self._otpravka(method, path, parse_qs(url.query), body, truncate)
            elif path.startswith("/sandbox/"):
                self._control(method, path, body)
            else:
                self._json(HTTPStatus.NOT_FOUND, {"error": "not found"})
        except (BrokenPipeError, ConnectionResetError):
            pass

    def _send(self, status: int, payload: bytes, content_type: str, *, truncate: bool = False) -> None:
        if truncate:
            payload = payload[: max(1, len(payload) // 2)]
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def _json(self, status: int, data, *, truncate: bool = False) -> None:
        payload = json.dumps(data, ensure_ascii=False).encode()
        self._send(status, payload, "application/json;charset=UTF-8", truncate=truncate)

    def _xml(self, payload: bytes, *, soap12: bool, status: int = 200, truncate: bool = False) -> None:
        content_type = "application/soap+xml; charset=utf-8" if soap12 else "text/xml; charset=utf-8"
        self._send(status, payload, content_type, truncate=truncate)

    # --- batch access (SOAP 1.1)
    def _batch(self, body: bytes, truncate: bool) -> None:
        try:
            request = soap.parse(body)
        except soap.BadRequest as exc:
            self._xml(soap.fault11("Client", str(exc)), soap12=False, status=500)
            return
        name = request.tag.rsplit("}", 1)[-1]
        method = {"ticketRequest": "ticketResponse", "answerByTicketRequest": "answerByTicketResponse"}.get(name)
        if method is None:
            self._xml(soap.fault11("Client", f"unknown operation {name}"), soap12=False, status=500)
            return
        if not self._credentials_ok(soap.text(request, "login"), soap.text(request, "password")):
            self._xml(soap.batch_error(method, 3), soap12=False, truncate=truncate)
            return
        if self.state.fault_take("batch", {"internal_error"}):
            self._xml(soap.batch_error(method, 16), soap12=False, truncate=truncate)
            return
        if method == "ticketResponse":
            self._get_ticket(request, truncate)
        else:
            self._answer(request, truncate)

    def _get_ticket(self, request, truncate: bool) -> None:
        if soap.text(request, "language", "RUS") not in ("RUS", "ENG"):
            self._xml(soap.batch_error("ticketResponse", 20), soap12=False)
            return
        request_el = soap.find(request, "request")
        if request_el is not None and len(request_el.get("FileName", "")) > 255:
            self._xml(soap.batch_error("ticketResponse", 22), soap12=False)
            return
        barcodes = [item.get("Barcode", "").strip() for item in soap.findall(request, "Item")]
        if not barcodes or any(not b for b in barcodes):
            self._xml(soap.batch_error("ticketResponse", 2), soap12=False)
            return
        item_fault = self.state.fault_take("batch", {"item_errors"})
        try:
            ticket = self.state.ticket_issue(barcodes, fail_first=item_fault.count if item_fault else 0)
        except BatchError as exc:
            self._xml(soap.batch_error("ticketResponse", exc.code), soap12=False)
            return
        self._xml(soap.ticket_response(ticket.id), soap12=False, truncate=truncate)

    def _answer(self, request, truncate: bool) -> None:
        ticket_id = soap.text(request, "ticket")
        if not ticket_id:
            self._xml(soap.batch_error("answerByTicketResponse", 2), soap12=False)
            return
        slow = bool(self.state.fault_take("batch", {"not_ready"}))
        try:
            ticket, prepared_at = self.state.ticket_answer(ticket_id, slow=slow)
        except BatchError as exc:
            self._xml(soap.batch_error("answerByTicketResponse", exc.code), soap12=False, truncate=truncate)
            return
        corrupt = bool(self.state.fault_take("batch", {"bad_record"}))

        def items():
            for barcode in ticket.barcodes:
                if barcode in ticket.failed:
                    yield barcode, 16
                    continue
                spec = self.state.parcel(barcode)
                ops = operations_until(spec, prepared_at)
                yield barcode, ops if ops else 12

        prepared = datetime.fromtimestamp(prepared_at).astimezone(_MOSCOW).strftime("%d.%m.%Y %H:%M:%S")
        self._xml(soap.answer_response(prepared, items(), corrupt=corrupt), soap12=False, truncate=truncate)

    # --- single access (SOAP 1.2)
    def _single(self, body: bytes, truncate: bool) -> None:
        try:
            request = soap.parse(body)
        except soap.BadRequest as exc:
            self._fault12("OperationHistoryFault", str(exc), code="Sender")
            return
        name = request.tag.rsplit("}", 1)[-1]
        header = soap.find(request, "AuthorizationHeader")
        if header is None:
            header = _soap_header_auth(body)
        must = None
        if header is not None:
            must = header.get(f"{{{soap.SOAP11}}}mustUnderstand") or header.get(f"{{{soap.SOAP12}}}mustUnderstand")
        if header is None or must not in ("1", "true"):
            self._fault12("AuthorizationFault", "AuthorizationHeader with mustUnderstand=1 is required")
            return
        if not self._credentials_ok(soap.text(header, "login"), soap.text(header, "password")):
            self._fault12("AuthorizationFault", "Ошибка авторизации: неверный логин или пароль")
            return
        if self.state.fault_take("single", {"internal_error"}):
            self._fault12("OperationHistoryFault", "Внутренняя ошибка сервиса")
            return
        if name == "getOperationHistory":
            self._history(request, truncate)
        elif name == "PostalOrderEventsForMail":
            self._cod(request, truncate)
        else:
            self._fault12("OperationHistoryFault", f"Неизвестная операция {name}", code="Sender")

    def _fault12(self, detail: str, message: str, *, code: str = "Receiver") -> None:
        self._xml(soap.fault12(detail, message, code=code), soap12=True, status=500)

    def _history(self, request, truncate: bool) -> None:
        barcode = soap.text(request, "Barcode")
        message_type = soap.text(request, "MessageType", "0")
        lang = soap.text(request, "Language", "RUS") or "RUS"
        if lang not in ("RUS", "ENG"):
            self._fault12("LanguageFault", "Заданный язык не поддерживается")
            return
        if not _BARCODE.match(barcode) or message_type not in ("0", "1"):
            self._fault12("OperationHistoryFault", "Неверный формат идентификатора отправления")
            return
        spec = self.state.parcel(barcode)
        now = self.sandbox.clock.now()
        ops = operations_until(spec, now) if message_type == "0" else []
        origin = {"china": "CN", "eu": "LV"}.get(spec.kind, "RU")
        records = [soap.history_record(op, spec, origin, lang) for op in ops]
        self._xml(soap.history_response(records), soap12=True, truncate=truncate)

    def _cod(self, request, truncate: bool) -> None:
        data = soap.find(request, "PostalOrderEventsForMailInput")
        barcode = (data.get("Barcode", "") if data is not None else "").strip()
        if not _BARCODE.match(barcode):
            self._fault12("OperationHistoryFault", "Неверный формат идентификатора отправления")
            return
        spec = self.state.parcel(barcode)
        self._xml(soap.cod_response(cod_events_until(spec, self.sandbox.clock.now())), soap12=True, truncate=truncate)

    def _credentials_ok(self, login: str, password: str) -> bool:
        return hmac.compare_digest(login.encode(), self.state.login.encode()) and hmac.compare_digest(
            password.encode(), self.state.password.encode()
        )

    # --- Otpravka REST
    def _otpravka(self, method: str, path: str, query: dict, body: bytes, truncate: bool) -> None:
        if not self._otpravka_auth():
            answer = {"code": "401", "sub-code": "UNAUTHORIZED", "desc": "Неверный токен или ключ авторизации"}
            self._json(HTTPStatus.UNAUTHORIZED, answer)
            return
        if method == "PUT" and path == "/1.0/user/backlog":
            try:
                orders = json.loads(body or b"null")
            except ValueError:
                self._json(HTTPStatus.BAD_REQUEST, {"error": "Bad JSON", "status": "BAD_REQUEST"})
                return
            if not isinstance(orders, list) or not orders:
                answer = {"error": "Expected a non-empty array of orders", "status": "BAD_REQUEST"}
                self._json(HTTPStatus.BAD_REQUEST, answer)
                return
            self._json(HTTPStatus.OK, self.state.backlog_create(orders), truncate=truncate)
            return
        if method == "GET" and path == "/1.0/backlog/search":
            self._json(HTTPStatus.OK, self.state.backlog_search(query.get("query", [""])[0]), truncate=truncate)
            return
        match = re.fullmatch(r"/1\.0/backlog/(\d+)", path)
        if method == "GET" and match:
            order = self.state.backlog_get(int(match.group(1)))
            if order is None:
                self._json(HTTPStatus.NOT_FOUND, {"code": "1001", "sub-code": "NOT_FOUND", "desc": "Заказ не найден"})
            else:
                self._json(HTTPStatus.OK, order, truncate=truncate)
            return
        self._json(HTTPStatus.NOT_FOUND, {"code": "1000", "sub-code": "UNKNOWN_METHOD", "desc": path})

    def _otpravka_auth(self) -> bool:
        token = self.headers.get("Authorization", "")
        user = self.headers.get("X-User-Authorization", "")
        if not token.startswith("AccessToken ") or not user.startswith("Basic "):
            return False
        try:
            login, _, password = base64.b64decode(user[6:], validate=True).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return False
        token_ok = hmac.compare_digest(token[12:].encode(), self.state.token.encode())
        return token_ok and self._credentials_ok(login, password)

    # --- controls
    def _control(self, method: str, path: str, body: bytes) -> None:
        try:
            data = json.loads(body) if body else {}
        except ValueError:
            self._json(HTTPStatus.BAD_REQUEST, {"error": "bad JSON"})
            return
        clock = self.sandbox.clock
        try:
            if path == "/sandbox/clock":
                if method == "POST":
                    if "speed" in data:
                        clock.set_speed(float(data["speed"]))
                    if "advance_seconds" in data:
                        clock.advance(float(data["advance_seconds"]))
                    if "set" in data:
                        clock.set(datetime.fromisoformat(data["set"]).timestamp())
                now = clock.now()
                self._json(HTTPStatus.OK, {"now": clock.now_dt().isoformat(), "epoch": now, "speed": clock.speed})
            elif path == "/sandbox/parcels" and method == "POST":
                rows = data if isinstance(data, list) else [data]
                specs = [self.state.parcel_set(str(row["barcode"]), **_parcel_fields(row)) for row in rows]
                self._json(HTTPStatus.OK, {"parcels": [_spec_json(s) for s in specs[:100]], "count": len(specs)})
            elif path.startswith("/sandbox/parcels/") and method == "GET":
                spec = self.state.parcel(path.rsplit("/", 1)[-1], adopt=False)
                if spec is None:
                    self._json(HTTPStatus.NOT_FOUND, {"error": "unknown parcel"})
                    return
                ops = operations_until(spec, clock.now())
                self._json(HTTPStatus.OK, {**_spec_json(spec), "operations": [_op_json(op) for op in ops]})
            elif path == "/sandbox/faults" and method == "POST":
                self.state.fault_add(
                    Fault(
                        kind=str(data.get("fault")),
                        service=str(data.get("service", "any")),
                        times=int(data.get("times", 1)),
                        seconds=float(data.get("seconds", 0)),
                        count=int(data.get("count", 1)),
                    )
                )
                self._json(HTTPStatus.OK, {"armed": len(self.state.faults)})
            elif path == "/sandbox/faults" and method == "DELETE":
                self.state.faults_clear()
                self._json(HTTPStatus.OK, {"armed": 0})
            elif path == "/sandbox/reset" and method == "POST":
                self.state.reset()
                self._json(HTTPStatus.OK, {"reset": True})
            elif path == "/sandbox/stats" and method == "GET":
                stats = {**self.state.stats.as_dict(), "parcels": len(self.state.parcels)}
                self._json(HTTPStatus.OK, {**stats, "tickets": len(self.state.tickets)})
            else:
                self._json(HTTPStatus.NOT_FOUND, {"error": "not found"})
        except (KeyError, ValueError, TypeError) as exc:
            self._json(HTTPStatus.BAD_REQUEST, {"error": str(exc)})


_BARCODE = re.compile(r"^(?:[A-Z]{2}\d{9}[A-Z]{2}|\d{14})$")
_MOSCOW = ZoneInfo("Europe/Moscow")


def _soap_header_auth(body: bytes):
    """Some clients put AuthorizationHeader into soap:Header instead of the operation element."""
    try:
        root = ET.fromstring(body)
    except ET.ParseError:
        return None
    return soap.find(root, "AuthorizationHeader")


def _parcel_fields(row: dict) -> dict:
    names = ("kind", "scenario", "index_to", "cod_kopecks", "value_kopecks", "mass", "recipient")
    fields = {k: row.get(k) for k in names}
    start = row.get("start")
    if isinstance(start, str):
        fields["start"] = datetime.fromisoformat(start).timestamp()
    elif isinstance(start, int | float):
        fields["start"] = float(start)
    return fields


def _spec_json(spec) -> dict:
    return {
        "barcode": spec.barcode,
        "kind": spec.kind,
        "scenario": spec.scenario,
        "start": datetime.fromtimestamp(spec.start).astimezone().isoformat(),
        "index_to": spec.index_to,
        "cod_kopecks": spec.cod_kopecks,
    }


def _op_json(op) -> dict:
    return {
        "type": op.type,
        "attr": op.attr,
        "name": op.type_name(),
        "at": op.local().isoformat(),
        "index": op.place.index,
    }
