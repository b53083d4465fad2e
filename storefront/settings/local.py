"""Developer machine: the run command's embedded PostgreSQL and Redis."""

from .base import *  # noqa: F403
from .base import (
    CONTENT_SECURITY_POLICY,
    STORE_PAYMENTS_SANDBOX_PORT,
    STORE_POST_SANDBOX_PORT,
    STORE_YOOKASSA_WEBHOOK_ALLOWLIST,
    env,
)

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = env("SECRET_KEY", default="local-dev-only-not-secret")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["*"])

# Payments: the sandbox that `make run` starts (payments/sandbox) with its default credentials; its webhooks
# come from this machine; checkout forms redirect the shopper to its confirmation page.
STORE_YOOKASSA_SHOP_ID = env("STORE_YOOKASSA_SHOP_ID", default="100500")
STORE_YOOKASSA_SECRET_KEY = env("STORE_YOOKASSA_SECRET_KEY", default="test_sandbox_secret_key")
STORE_YOOKASSA_API_URL = env("STORE_YOOKASSA_API_URL", default=f"http://127.0.0.1:{STORE_PAYMENTS_SANDBOX_PORT}/v3/")
STORE_YOOKASSA_WEBHOOK_ALLOWLIST = [*STORE_YOOKASSA_WEBHOOK_ALLOWLIST, "127.0.0.1/32", "::1/128"]
CONTENT_SECURITY_POLICY["DIRECTIVES"]["form-action"].append(f"http://127.0.0.1:{STORE_PAYMENTS_SANDBOX_PORT}")

# Postal partner: the sandbox `make run` starts (logistics/postal/sandbox), its default credentials, and its clock
# (which the demo may speed up) timing the tracking sync.
STORE_POST_SINGLE_URL = env("STORE_POST_SINGLE_URL", default=f"http://127.0.0.1:{STORE_POST_SANDBOX_PORT}/rtm34")
STORE_POST_BATCH_URL = env("STORE_POST_BATCH_URL", default=f"http://127.0.0.1:{STORE_POST_SANDBOX_PORT}/fc")
STORE_POST_OTPRAVKA_URL = env("STORE_POST_OTPRAVKA_URL", default=f"http://127.0.0.1:{STORE_POST_SANDBOX_PORT}/1.0/")
STORE_POST_LOGIN = env("STORE_POST_LOGIN", default="store")
STORE_POST_PASSWORD = env("STORE_POST_PASSWORD", default="sandbox-password")
STORE_POST_OTPRAVKA_TOKEN = env("STORE_POST_OTPRAVKA_TOKEN", default="sandbox-token")
STORE_POST_CLOCK = env("STORE_POST_CLOCK", default="sandbox")
