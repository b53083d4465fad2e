"""The production settings, made runnable on loopback for `make bench`.

Only what a local plain-HTTP run needs differs from production: wrk speaks plain HTTP to 127.0.0.1,
so the SSL redirect is off; hosts are the loopback names; per-request INFO logging is off so the
log line does not dominate a sub-millisecond view. Everything else (DEBUG off, manifest static
files through whitenoise, persistent database connections with health checks, secure cookies)
is production's.
"""

import os

# production.py requires these from the environment; give loopback defaults before importing it.
# benchmarks/run.py passes a SECRET_KEY generated per run (the same for every gunicorn worker);
# this fallback only lets `manage.py ... --settings=benchmarks.settings` work by hand.
os.environ.setdefault("SECRET_KEY", "benchmark-only-not-secret-never-deploy-this-0123456789abcdef")
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost")
os.environ.setdefault("LOG_LEVEL", "WARNING")

from storefront.settings.production import *  # noqa: F403
from storefront.settings.production import BASE_DIR, STORE_YOOKASSA_WEBHOOK_ALLOWLIST, env

ROOT_URLCONF = "benchmarks.urls"
# wrk posts the payments-webhook scenario from loopback: let it through the provider's allow-list
STORE_YOOKASSA_WEBHOOK_ALLOWLIST = [*STORE_YOOKASSA_WEBHOOK_ALLOWLIST, "127.0.0.1/32"]
SECURE_SSL_REDIRECT = False  # wrk speaks plain HTTP on loopback; there is no TLS terminator in front
# Its own collectstatic target, so the manifest build never touches the folder `make run` serves.
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "var" / "bench" / "staticfiles")
