"""HTTP front of the sandbox: the YooKassa v3 REST API, the confirmation page and JSON controls for tests.

/v3/payments [POST, GET]            /v3/payments/{id} [GET]
/v3/payments/{id}/capture [POST]    /v3/payments/{id}/cancel [POST]
/v3/refunds [POST, GET]             /v3/refunds/{id} [GET]
/checkout/{id} [GET, POST]          the shopper's confirmation page
/sandbox/...                        controls (no auth; the sandbox listens on loopback)
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
import logging
import re
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from . import pages
from .notifier import Notifier
from .state import ApiError, Fault, Sandbox, bad_request, not_found

log = logging.getLogger("payments.sandbox")
ID = r"([0-9a-f-]{36})"
MAX_BODY = 1 << 20


class SandboxServer:
    """One sandbox: state + webhook notifier + HTTP server. `start()` serves in a background thread."""

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        shop_id: str,
        secret_key: str,
        notify_url: str | None = None,
        webhooks: bool = True,
        webhook_backoff: float = 1.0,
        webhook_retry_for: float = 600.0,
        state_file: Path | None = None,
        public_url: str | None = None,
    ) -> None:
        self.shop_id = shop_id
        self.secret_key = secret_key
        self.httpd = ThreadingHTTPServer((host, port), _Handler)
        self.httpd.daemon_threads = True
        self.httpd.sandbox = self  # type: ignore[attr-defined]
        bound_host, bound_port = self.httpd.server_address[:2]
        self.base_url = (public_url or f"http://{bound_host}:{bound_port}").rstrip("/")
        self.notifier = Notifier(url=notify_url, enabled=webhooks, backoff=webhook_backoff, retry_for=webhook_retry_for)
        self.state = Sandbox(base_url=self.base_url, shop_id=shop_id, state_file=state_file, notify=self._notify)
        self._thread: threading.Thread | None = None
        self._serving = False
        self._sweeper_stop = threading.Event()

    @property
    def api_url(self) -> str:
        return f"{self.base_url}/v3/"

    def _notify(self, event: str, obj: dict) -> None:
        self.notifier.send(event, obj)

    def start(self) -> SandboxServer:
        """Serve in background threads (tests, embedding)."""
        self._thread = threading.Thread(target=self.serve_forever, name="payments-sandbox", daemon=True)
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        self._serving = True
        threading.Thread(target=self._sweep, name="payments-sandbox-expiry", daemon=True).start()
        self.httpd.serve_forever()

    def stop(self) -> None:
        self._sweeper_stop.set()
        if self._serving:
            self.httpd.shutdown()  # waits for serve_forever to return; it never returns if it never ran
        self.httpd.server_close()
        self.notifier.stop()

    def reset(self) -> None:
        """Forget every payment, refund, key, fault and delivery; webhooks back to the configured URL."""
        self.state.reset()
        self.notifier.clear()

    def _sweep(self) -> None:
        """Expire holds and unconfirmed payments on the provider's clock, so their webhooks go out unasked."""
        while not self._sweeper_stop.wait(5.0):
            self.state.expire_overdue()


class _Handler(BaseHTTPRequestHandler):
    server_version = "YooKassaSandbox/1.0"
    protocol_version = "HTTP/1.1"

    @property
    def sandbox(self) -> SandboxServer:
        return self.server.sandbox  # type: ignore[attr-defined]

    def log_message(self, format: str, *args) -> None:
        log.info("%s %s", self.address_string(), format % args)

    # --- plumbing
    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def _dispatch(self, method: str) -> None:
        path = urlsplit(self.path).path
        try:
            body = self._read_body()
            if path.startswith("/v3/"):
                self._check_auth()
                fault = self.sandbox.state.take_fault(method, path)
                if fault and not fault.process:
                    self._fail(fault)
                    return
                status, payload = self._api(method, path, body)
                if fault:
                    self._fail(fault)
                    return
                self._json(status, payload)
            elif path.startswith("/checkout/"):
                self._checkout(method, path, body)
            elif path.startswith("/sandbox/"):
                self._control(method, path, body)
            elif path == "/" and method == "GET":
                self._html(200, pages.message_page("Песочница ЮKassa", "API: /v3/, страница оплаты: /checkout/{id}"))
            else:
                raise ApiError(404, "not_found", "Unknown path")
        except ApiError as exc:
            self._json(exc.status, exc.body())
        except (ValueError, TypeError) as exc:  # a malformed control call or header
            self._json(400, bad_request(f"Malformed request: {exc}").body())

    def _read_body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            raise bad_request("Request body is too large")
        return self.rfile.read(length) if length else b""

    def _check_auth(self) -> None:
        header = self.headers.get("Authorization", "")
        expected = f"{self.sandbox.shop_id}:{self.sandbox.secret_key}".encode()
        if header.startswith("Basic "):
            try:
                given = base64.b64decode(header[6:], validate=True)
            except (binascii.Error, ValueError):
                given = b""
            if hmac.compare_digest(given, expected):
                return
        raise ApiError(
            401,
            "invalid_credentials",
            "Authentication by given credentials failed: check the shopId and the secret key",
        )

    def _json_body(self, raw: bytes) -> dict:
        if not raw:
            return {}
        try:
            data = json.loads(raw)
        except (ValueError, UnicodeDecodeError):
            raise bad_request("Request body is not valid JSON") from None
        if not isinstance(data, dict):
            raise bad_request("Request body must be a JSON object")
        return data

    def _json(self, status: int, payload: dict | list) -> None:
        data = json.dumps(payload, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _html(self, status: int, text: str) -> None:
        data = text.encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(data)

    def _redirect(self, url: str) -> None:
        self.send_response(HTTPStatus.SEE_OTHER)
        self.send_header("Location", url)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _fail(self, fault: Fault) -> None:
        if fault.kind == "drop":
            # the request was read (and maybe processed); the answer never arrives
            self.close_connection = True
            return
        if fault.status == 202:
            self._json(202, {"type": "processing", "description": "Request accepted", "retry_after": 100})
        else:
            self._json(fault.status, ApiError(fault.status, "internal_server_error", "Injected fault").body())

    # --- the API
    def _api(self, method: str, path: str, raw: bytes) -> tuple[int, dict]:
        state = self.sandbox.state
        key = self.headers.get("Idempotence-Key")
        body = self._json_body(raw)
        query = parse_qs(urlsplit(self.path).query)
        if path == "/v3/payments" and method == "POST":
            return 200, state.idempotent(key, method, path, body, lambda: state.payment_create(body))
        if path == "/v3/payments" and method == "GET":
            limit = int(query.get("limit", ["10"])[0] or 10)
            return 200, state.payment_list(status=query.get("status", [None])[0], limit=limit)
        if (m := re.fullmatch(rf"/v3/payments/{ID}", path)) and method == "GET":
            return 200, state.payment_get(m[1])
        if (m := re.fullmatch(rf"/v3/payments/{ID}/(capture|cancel)", path)) and method == "POST":
            if m[2] == "capture":
                return 200, state.idempotent(key, method, path, body, lambda: state.payment_capture(m[1], body))
            return 200, state.idempotent(key, method, path, body, lambda: state.payment_cancel(m[1]))
        if path == "/v3/refunds" and method == "POST":
            return 200, state.idempotent(key, method, path, body, lambda: state.refund_create(body))
        if path == "/v3/refunds" and method == "GET":
            return 200, state.refund_list(payment_id=query.get("payment_id", [None])[0])
        if (m := re.fullmatch(rf"/v3/refunds/{ID}", path)) and method == "GET":
            return 200, state.refund_get(m[1])
        raise ApiError(404, "not_found", "Unknown API method")

    # --- the shopper's page
    def _checkout(self, method: str, path: str, raw: bytes) -> None:
        m = re.fullmatch(rf"/checkout/{ID}/?", path)
        state = self.sandbox.state
        payment = state.payments.get(m[1]) if m else None
        if payment is None:
            self._html(404, pages.message_page("Платёж не найден", "Проверьте ссылку или начните оплату заново."))
            return
        state.expire_overdue()
        if method == "GET":
            page = pages.confirmation_page(payment) if payment.status == "pending" else pages.settled_page(payment)
            self._html(200, page)
            return
        form = {k: v[0] for k, v in parse_qs(raw.decode("utf-8", "replace")).items()}
        if payment.status == "pending":
            if form.get("action") == "pay":
                digits = re.sub(r"\D", "", form.get("card", ""))
                state.payment_confirm(payment.id, card_last4=digits[-4:] if len(digits) >= 12 else None)
            elif form.get("action") == "decline":
                state.payment_decline(payment.id, reason=form.get("reason") or "general_decline")
        self._redirect(payment.return_url)

    # --- controls for tests and demos
    def _control(self, method: str, path: str, raw: bytes) -> None:
        sandbox, state = self.sandbox, self.sandbox.state
        body = self._json_body(raw)
        if path == "/sandbox/health" and method == "GET":
            self._json(200, {"ok": True, "webhooks": sandbox.notifier.enabled, "notify_url": sandbox.notifier.url})
        elif path == "/sandbox/reset" and method == "POST":
            sandbox.reset()
            self._json(200, {"ok": True})
        elif path == "/sandbox/settings" and method == "POST":
            if "webhooks" in body:
                sandbox.notifier.enabled = bool(body["webhooks"])
            if "notify_url" in body:
                sandbox.notifier.url = body["notify_url"] or None
            self._json(200, {"webhooks": sandbox.notifier.enabled, "notify_url": sandbox.notifier.url})
        elif (m := re.fullmatch(rf"/sandbox/payments/{ID}/resolve", path)) and method == "POST":
            self._json(200, resolve(sandbox, m[1], body))
        elif (m := re.fullmatch(rf"/sandbox/payments/{ID}", path)) and method == "GET":
            self._json(200, state.payment_get(m[1]))
        elif path == "/sandbox/webhooks" and method == "GET":
            self._json(200, {"items": sandbox.notifier.snapshot()})
        elif path == "/sandbox/webhooks/send" and method == "POST":
            # (re)send a notification for an object as it is now: duplicates and reordering on demand
            event, object_id = body.get("event"), body.get("object_id")
            if not isinstance(event, str) or not isinstance(object_id, str):
                raise bad_request("event and object_id are required")
            obj = body.get("object") or state.object_for_event(event, object_id)
            delivery = sandbox.notifier.send(event, obj, url=body.get("url"))
            self._json(200, {"queued": delivery is not None})
        elif path == "/sandbox/faults" and method == "POST":
            state.add_fault(
                Fault(
                    method=str(body.get("method", "POST")).upper(),
                    path_prefix=str(body.get("path", "/v3/")),
                    kind=body.get("kind", "status"),
                    status=int(body.get("status", 500)),
                    process=bool(body.get("process", False)),
                    times=int(body.get("times", 1)),
                )
            )
            self._json(200, {"ok": True})
        elif path == "/sandbox/clock" and method == "POST":
            state.advance_clock(float(body.get("advance_seconds", 0)))
            self._json(200, {"now": state.now().isoformat()})
        else:
            raise not_found("Control")


def resolve(sandbox: SandboxServer, payment_id: str, body: dict) -> dict:
    """Settle a payment as the confirmation page would: outcome succeeded | canceled | expired.

    `"notify": false` settles it without a webhook (a lost notification, for the poller to find)."""
    state, outcome, notify = sandbox.state, body.get("outcome"), bool(body.get("notify", True))
    if outcome == "succeeded":
        return state.payment_confirm(payment_id, notify=notify)
    if outcome == "canceled":
        reason = body.get("reason") or "general_decline"
        return state.payment_decline(payment_id, reason=reason, party=body.get("party"), notify=notify)
    if outcome == "expired":
        held = state.payment_get(payment_id)["status"] == "waiting_for_capture"
        reason = "expired_on_capture" if held else "expired_on_confirmation"
        return state.payment_decline(payment_id, reason=reason, notify=notify)
    raise bad_request("outcome must be succeeded, canceled or expired", "outcome")
