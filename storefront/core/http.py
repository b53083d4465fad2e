"""Who sent a request: the one place that decides which address is the client's."""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    """The client's IP address for rate limits, allow-lists and records; None when there is none.

    STORE_TRUSTED_PROXY_HOPS is how many proxies of ours stand in front of Django, each appending the address it
    got the request from to X-Forwarded-For. 0: REMOTE_ADDR, and X-Forwarded-For (anyone can write it) is ignored.
    N: the Nth entry from the right, which our outermost proxy wrote; entries further left come from the client.
    A header with fewer entries, or a non-address where ours should be, means the request did not come through
    our proxies as configured: REMOTE_ADDR then.
    """
    remote_addr = request.META.get("REMOTE_ADDR") or None
    hops = settings.STORE_TRUSTED_PROXY_HOPS
    if hops <= 0:
        return remote_addr
    entries = [entry.strip() for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    if len(entries) < hops:
        return remote_addr
    try:
        return str(ipaddress.ip_address(entries[-hops]))
    except ValueError:
        return remote_addr
