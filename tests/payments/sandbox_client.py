"""Raw HTTP to the sandbox (no SDK): for tests of the protocol itself."""

from __future__ import annotations

import base64
import http.client
import json
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

from payments.sandbox import SANDBOX_SECRET_KEY, SANDBOX_SHOP_ID


@dataclass
class Answer:
    status: int
    headers: dict
    text: str

    @property
    def json(self) -> dict:
        return json.loads(self.text)


def call(
    sandbox,
    method: str,
    path: str,
    body: dict | None = None,
    *,
    key: str | None = None,
    credentials: tuple[str, str] = (SANDBOX_SHOP_ID, SANDBOX_SECRET_KEY),
    form: dict | None = None,
) -> Answer:
    url = urlsplit(sandbox.base_url)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
    headers = {"Authorization": "Basic " + base64.b64encode(":".join(credentials).encode()).decode()}
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    if form is not None:
        data = urlencode(form).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    if key:
        headers["Idempotence-Key"] = key
    try:
        conn.request(method, path, body=data, headers=headers)
        response = conn.getresponse()
        return Answer(response.status, dict(response.getheaders()), response.read().decode())
    finally:
        conn.close()


def payment_body(value: str = "1500.00", method: str = "bank_card", *, capture: bool = True) -> dict:
    return {
        "amount": {"value": value, "currency": "RUB"},
        "confirmation": {"type": "redirect", "return_url": "http://127.0.0.1:8000/orders/1/"},
        "capture": capture,
        "description": "Заказ № 1",
        "metadata": {"order": "1"},
        "payment_method_data": {"type": method},
    }


def create_payment(sandbox, key: str = "pay-1", **kwargs) -> dict:
    answer = call(sandbox, "POST", "/v3/payments", payment_body(**kwargs), key=key)
    assert answer.status == 200, answer.text
    return answer.json


def resolve(sandbox, payment_id: str, outcome: str = "succeeded", **extra) -> dict:
    answer = call(sandbox, "POST", f"/sandbox/payments/{payment_id}/resolve", {"outcome": outcome, **extra})
    assert answer.status == 200, answer.text
    return answer.json


def paid_payment(sandbox, value: str = "1000.00") -> dict:
    payment = create_payment(sandbox, value=value)
    return resolve(sandbox, payment["id"])
