"""Provider notifications at the edge: who may send them and what a well-formed one looks like.

The provider signs nothing (DOMAIN.md 6): a notification is only a hint. The sender's address must be in
STORE_YOOKASSA_WEBHOOK_ALLOWLIST, and whoever acts on it re-reads the object from the provider and trusts
only that answer.
"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from django.conf import settings

from .exceptions import InvalidNotification

EVENTS = frozenset({"payment.succeeded", "payment.waiting_for_capture", "payment.canceled", "refund.succeeded"})
MAX_BODY = 64 * 1024


@dataclass(frozen=True)
class Notification:
    event: str
    object_id: str
    object_status: str = ""
    raw: dict = field(default_factory=dict, repr=False)

    @property
    def is_refund(self) -> bool:
        return self.event.startswith("refund.")

    @property
    def handled(self) -> bool:
        """deal.*, payout.* and future events are acknowledged and ignored."""
        return self.event in EVENTS


@lru_cache(maxsize=8)
def _networks(allowlist: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in allowlist if entry.strip())


def sender_allowed(address: str, allowlist: Iterable[str] | None = None) -> bool:
    """Is `address` (the sender, as storefront.core.http.client_ip sees it) inside one of the provider's networks?"""
    entries = tuple(settings.STORE_YOOKASSA_WEBHOOK_ALLOWLIST if allowlist is None else allowlist)
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return False
    if ip.version == 6 and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return any(ip in network for network in _networks(entries) if network.version == ip.version)


def notification_parse(body: bytes) -> Notification:
    """Validate the shape of a notification body; raise InvalidNotification saying what is wrong."""
    if len(body) > MAX_BODY:
        raise InvalidNotification("body too large")
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidNotification(f"not JSON: {exc}") from None
    if not isinstance(data, dict) or data.get("type") != "notification":
        raise InvalidNotification("type is not 'notification'")
    event, obj = data.get("event"), data.get("object")
    if not isinstance(event, str) or "." not in event:
        raise InvalidNotification("event missing")
    if not isinstance(obj, dict) or not isinstance(obj.get("id"), str) or not 1 <= len(obj["id"]) <= 64:
        raise InvalidNotification("object.id missing")
    status = obj.get("status")
    return Notification(
        event=event, object_id=obj["id"], object_status=status if isinstance(status, str) else "", raw=data
    )
