"""The partner's shipment registration API, Otpravka (DOMAIN.md 3): REST + JSON over the same retrying transport.

PUT user/backlog creates orders and the partner assigns each a barcode; that barcode becomes the parcel's
tracking number. A retry after a timeout could create the order twice, so `order_register` first looks the
order up by our number (GET backlog/search) and only creates it when the partner does not have it yet.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass

import requests

from .client import HttpCaller, PostConfig
from .exceptions import PartnerAuthError, PartnerError, PartnerUnavailable, RegistrationRejected


@dataclass(frozen=True)
class Registered:
    backlog_id: int
    barcode: str
    created: bool  # False: found at the partner from an earlier attempt


def _json(response: requests.Response):
    if response.status_code == 401:
        raise PartnerAuthError("Otpravka: HTTP 401")
    if response.status_code >= 500 or response.status_code in (408, 429):
        raise PartnerUnavailable(f"Otpravka: HTTP {response.status_code}")
    try:
        data = response.json()
    except ValueError as exc:
        raise PartnerUnavailable(f"Otpravka: unreadable JSON ({exc})") from exc
    if response.status_code == 404:
        return None
    if response.status_code != 200:
        detail = data.get("error") or data.get("desc") or data if isinstance(data, dict) else data
        raise PartnerError(response.status_code, str(detail)[:500])
    return data


class OtpravkaClient:
    def __init__(self, config: PostConfig | None = None, *, session: requests.Session | None = None) -> None:
        self.config = config or PostConfig.from_settings()
        self.http = HttpCaller(self.config, session=session)
        credentials = base64.b64encode(f"{self.config.login}:{self.config.password}".encode()).decode()
        self.headers = {
            "Authorization": f"AccessToken {self.config.otpravka_token}",
            "X-User-Authorization": f"Basic {credentials}",
            "Content-Type": "application/json;charset=UTF-8",
            "Accept": "application/json;charset=UTF-8",
        }

    def _call(self, method: str, path: str, *, data: bytes | None = None, params: dict | None = None):
        url = self.config.otpravka_url.rstrip("/") + "/" + path
        return self.http.call("otpravka", method, url, data=data, params=params, headers=self.headers, parse=_json)

    def backlog_create(self, orders: list[dict]) -> dict:
        """PUT user/backlog: {"result-ids": [...], "errors": [{"position", "error-codes": [{code, description}]}]}."""
        data = json.dumps(orders, ensure_ascii=False).encode()
        result = self._call("PUT", "user/backlog", data=data)
        if not isinstance(result, dict) or not isinstance(result.get("result-ids", []), list):
            raise PartnerUnavailable("Otpravka: backlog answer without result-ids")
        return result

    def backlog_get(self, backlog_id: int) -> dict | None:
        return self._call("GET", f"backlog/{int(backlog_id)}")

    def backlog_search(self, order_num: str) -> list[dict]:
        found = self._call("GET", "backlog/search", params={"query": order_num})
        return found if isinstance(found, list) else []

    def order_register(self, order: dict) -> Registered:
        """Create one backlog order (or find the one an earlier attempt created) and return its barcode."""
        for existing in self.backlog_search(str(order["order-num"])):
            if existing.get("barcode"):
                return Registered(int(existing["id"]), str(existing["barcode"]), created=False)
        result = self.backlog_create([order])
        errors = result.get("errors") or []
        if errors:
            codes = [code for error in errors for code in (error.get("error-codes") or [])]
            raise RegistrationRejected(codes or [{"code": "UNKNOWN", "description": str(errors)[:300]}])
        ids = result.get("result-ids") or []
        if not ids:
            raise PartnerUnavailable("Otpravka: no id for the created order")
        created = self.backlog_get(int(ids[0])) or {}
        barcode = str(created.get("barcode") or "")
        if not barcode:
            raise PartnerUnavailable(f"Otpravka: order {ids[0]} has no barcode yet")
        return Registered(int(ids[0]), barcode, created=True)
