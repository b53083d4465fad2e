"""`python -m payments.sandbox [--port 8765] [--notify-url URL]`: the payment sandbox as its own process.

Defaults come from the environment the run command passes on: STORE_PAYMENTS_SANDBOX_PORT (8765),
STORE_BASE_URL + /payments/webhook/ for notifications, STORE_YOOKASSA_SHOP_ID / STORE_YOOKASSA_SECRET_KEY.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
from pathlib import Path

from . import SANDBOX_SECRET_KEY, SANDBOX_SHOP_ID, SandboxServer

ROOT = Path(__file__).resolve().parent.parent.parent


def main(argv: list[str] | None = None) -> int:
    env = os.environ
    base_url = env.get("STORE_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
    parser = argparse.ArgumentParser(prog="python -m payments.sandbox", description=__doc__)
    parser.add_argument("--host", default=env.get("STORE_PAYMENTS_SANDBOX_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(env.get("STORE_PAYMENTS_SANDBOX_PORT", "8765")))
    parser.add_argument(
        "--notify-url",
        default=env.get("STORE_PAYMENTS_SANDBOX_NOTIFY_URL", f"{base_url}/payments/webhook/"),
        help="where webhooks go; empty string: none",
    )
    parser.add_argument("--no-webhooks", action="store_true", help="settle payments without notifications")
    parser.add_argument("--shop-id", default=env.get("STORE_YOOKASSA_SHOP_ID") or SANDBOX_SHOP_ID)
    parser.add_argument("--secret-key", default=env.get("STORE_YOOKASSA_SECRET_KEY") or SANDBOX_SECRET_KEY)
    parser.add_argument(
        "--state-file",
        default=env.get("STORE_PAYMENTS_SANDBOX_STATE", str(ROOT / "var" / "run" / "payments-sandbox.json")),
        help="JSON file keeping payments across restarts; empty string: memory only",
    )
    parser.add_argument("--public-url", default=env.get("STORE_PAYMENTS_SANDBOX_PUBLIC_URL") or None)
    parser.add_argument(
        "--webhook-retry-for",
        type=float,
        default=float(env.get("STORE_PAYMENTS_SANDBOX_RETRY_FOR", "3600")),
        help="seconds to keep retrying a webhook that does not get HTTP 200",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s payments-sandbox %(message)s")

    state_file = Path(args.state_file) if args.state_file else None
    if state_file:
        state_file.parent.mkdir(parents=True, exist_ok=True)
    server = SandboxServer(
        host=args.host,
        port=args.port,
        shop_id=args.shop_id,
        secret_key=args.secret_key,
        notify_url=args.notify_url or None,
        webhooks=not args.no_webhooks,
        webhook_retry_for=args.webhook_retry_for,
        state_file=state_file,
        public_url=args.public_url,
    )
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print(f"Payment sandbox (YooKassa v3 API): {server.api_url}  webhooks -> {args.notify_url or 'none'}", flush=True)
    try:
        server.serve_forever()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
