"""Headers for POST scenarios that pass Django's CSRF check (and carry a session) over plain HTTP.

Anonymous POST: `Scenario(..., headers=csrf_headers(), args=("method=POST", "body=a=1", "content_type=..."))`.
Django accepts an unmasked 32-character secret as both cookie and X-CSRFToken, and on plain HTTP it checks
no Referer; wrk sends no Origin. For a POST that needs a session (checkout with a cart in it), call
`session_headers(base_url, steps)` (Scenario.headers may be a callable given the base URL) to walk the
steps once and reuse that session for every request.
"""

from __future__ import annotations

import secrets
import string
import urllib.error
import urllib.request
from collections.abc import Sequence
from http.cookies import SimpleCookie
from urllib.parse import urlencode

_CSRF_CHARS = string.ascii_letters + string.digits  # django.middleware.csrf.CSRF_ALLOWED_CHARS
_CSRF_SECRET_LENGTH = 32


def csrf_secret() -> str:
    return "".join(secrets.choice(_CSRF_CHARS) for _ in range(_CSRF_SECRET_LENGTH))


def csrf_headers(secret: str | None = None) -> dict[str, str]:
    secret = secret or csrf_secret()
    return {"Cookie": f"csrftoken={secret}", "X-CSRFToken": secret}


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a POST answered with a redirect is a success here; keep its cookies


def session_headers(base_url: str, steps: Sequence[tuple[str, str, dict[str, str] | None]]) -> dict[str, str]:
    """Walk (method, path, form data) steps as one browser would; return Cookie + X-CSRFToken headers.

    Cookies are kept by hand: production marks them Secure, which a cookie jar would not send over HTTP.
    """
    secret = csrf_secret()
    cookies = {"csrftoken": secret}
    opener = urllib.request.build_opener(_NoRedirect)
    for method, path, data in steps:
        body = urlencode(data).encode() if data is not None else None
        req = urllib.request.Request(base_url + path, data=body, method=method)
        req.add_header("Cookie", "; ".join(f"{k}={v}" for k, v in cookies.items()))
        req.add_header("X-CSRFToken", cookies["csrftoken"])
        try:
            resp = opener.open(req, timeout=10)
        except urllib.error.HTTPError as exc:
            if exc.code >= 400:
                raise
            resp = exc  # the 3xx answer to a POST
        with resp:
            for header in resp.headers.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(header).items():
                    cookies[name] = morsel.value
    return {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items()), "X-CSRFToken": cookies["csrftoken"]}
