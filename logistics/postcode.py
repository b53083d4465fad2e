"""The shopper's postcode, remembered for delivery promises: in the session when there is one, and in a cookie
(so a visitor without a session keeps the shared, cached product pages)."""

from __future__ import annotations

import re

SESSION_KEY = "delivery_postcode"
COOKIE = "store_postcode"
COOKIE_AGE = 365 * 24 * 3600
POSTCODE = re.compile(r"^[1-9][0-9]{5}$")


def postcode_remembered(request) -> str:
    """The remembered postcode, else the one entered at checkout, else ""."""
    session = getattr(request, "session", None)
    candidates = [
        session.get(SESSION_KEY, "") if session is not None else "",
        request.COOKIES.get(COOKIE, ""),
        ((session.get("checkout") or {}).get("data") or {}).get("postcode", "") if session is not None else "",
    ]
    return next((c for c in candidates if isinstance(c, str) and POSTCODE.match(c)), "")


def postcode_remember(request, response, postcode: str) -> None:
    if not POSTCODE.match(postcode or ""):
        return
    session = getattr(request, "session", None)
    if session is not None and session.session_key and session.get(SESSION_KEY) != postcode:
        session[SESSION_KEY] = postcode
    response.set_cookie(COOKIE, postcode, max_age=COOKIE_AGE, httponly=True, samesite="Lax")
