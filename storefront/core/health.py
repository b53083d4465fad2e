"""/healthz: database, Redis, Celery workers, outbox lag; each check reports its own failure and never raises.

The public answer names each check with its ok flag and nothing else: exception text (hosts, ports, users, paths)
and counts stay out of it. The details go to the log on every failure, and to staff signed in to the admin
(password session) who open /healthz in their browser.

The view lives here with its checks (storefront/core/views.py is the shopper pages').
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

import redis
from django.conf import settings
from django.contrib import admin
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

log = logging.getLogger("storefront.health")


def _timed(check: Callable[[], dict]) -> dict:
    started = time.perf_counter()
    try:
        result = check()
    except Exception as exc:  # a health check reports every failure instead of raising it
        result = {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
    result["ms"] = round((time.perf_counter() - started) * 1000, 1)
    return result


def _database() -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return {"ok": True}


def _redis() -> dict:
    client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1)
    try:
        client.ping()
    finally:
        client.close()
    return {"ok": True}


def _celery() -> dict:
    from storefront.celery import app

    workers = len(app.control.ping(timeout=settings.STORE_HEALTH_CELERY_TIMEOUT))
    return {"ok": workers > 0, "workers": workers, **({} if workers else {"error": "no worker answered the ping"})}


def _outbox() -> dict:
    from storefront.outbox.selectors import outbox_lag_get

    lag = outbox_lag_get()
    ok = lag.lag_seconds <= settings.STORE_OUTBOX_LAG_ALERT_SECONDS
    return {"ok": ok, "lag_seconds": lag.lag_seconds, "pending": lag.pending}


CHECKS = {"database": _database, "redis": _redis, "celery": _celery, "outbox": _outbox}


def health_report() -> dict:
    checks = {name: _timed(check) for name, check in CHECKS.items()}
    return {"status": "ok" if all(c["ok"] for c in checks.values()) else "fail", "checks": checks}


def health_public(report: dict) -> dict:
    """What anyone may see: the overall status and each check's name with its ok flag."""
    return {"status": report["status"], "checks": {name: {"ok": c["ok"]} for name, c in report["checks"].items()}}


@never_cache
@require_GET
def healthz(request):
    """For load balancers and monitoring: 200 when every check passes, 503 otherwise, always JSON.

    Failures are logged with their details; staff signed in to the admin get the details in the answer too."""
    report = health_report()
    if report["status"] != "ok":
        failed = sorted(name for name, check in report["checks"].items() if not check["ok"])
        log.warning("health check failed: %s", ", ".join(failed), extra={"health": report["checks"]})
    body = report if admin.site.has_permission(request) else health_public(report)
    return JsonResponse(body, status=200 if report["status"] == "ok" else 503)
