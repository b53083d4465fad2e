"""The container health check (docker-compose.yml): `python -m storefront.core.healthcheck` exits 0 when /healthz
answers 200, 1 otherwise.

It asks with a Host header the site accepts: the first usable entry of ALLOWED_HOSTS (a leading dot dropped, "*"
skipped), "localhost" when there is none. A bare request to 127.0.0.1 would be refused with a 400 by every
production deployment whose ALLOWED_HOSTS names only the shop's domain, and the container would never be healthy.
No Django import: the check runs every few seconds in its own process.
"""

from __future__ import annotations

import os
import sys
import urllib.error
import urllib.request

URL = "http://127.0.0.1:8000/healthz"


def healthcheck_host(allowed_hosts: str) -> str:
    """The Host to ask with, from ALLOWED_HOSTS as the environment gives it (comma-separated)."""
    for entry in allowed_hosts.split(","):
        host = entry.strip().lstrip(".")
        if host and host != "*":
            return host
    return "localhost"


def healthcheck_status(url: str = URL, *, allowed_hosts: str = "", timeout: float = 5.0) -> int:
    """The HTTP status /healthz answers (0 when nothing answers)."""
    request = urllib.request.Request(url, headers={"Host": healthcheck_host(allowed_hosts)})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except OSError:
        return 0


def main() -> int:
    status = healthcheck_status(allowed_hosts=os.environ.get("ALLOWED_HOSTS", ""))
    return 0 if status == 200 else 1


if __name__ == "__main__":
    sys.exit(main())
