"""`python -m logistics.postal.sandbox [--port 8766] [--speed N] [--state-file PATH]`: the postal sandbox.

Defaults come from the environment the run command passes on: STORE_POST_SANDBOX_PORT (8766),
STORE_POST_SANDBOX_SPEED (1), STORE_POST_LOGIN / STORE_POST_PASSWORD / STORE_POST_OTPRAVKA_TOKEN.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
from pathlib import Path

from . import SANDBOX_LOGIN, SANDBOX_PASSWORD, SANDBOX_TOKEN, PostSandboxServer

ROOT = Path(__file__).resolve().parents[3]


def main(argv: list[str] | None = None) -> int:
    env = os.environ
    parser = argparse.ArgumentParser(prog="python -m logistics.postal.sandbox", description=__doc__)
    parser.add_argument("--host", default=env.get("STORE_POST_SANDBOX_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(env.get("STORE_POST_SANDBOX_PORT", "8766")))
    parser.add_argument(
        "--speed",
        type=float,
        default=float(env.get("STORE_POST_SANDBOX_SPEED", "1")),
        help="how many times faster than the wall clock the sandbox clock runs (the demo: e.g. 360 = a day in 4 min)",
    )
    parser.add_argument("--login", default=env.get("STORE_POST_LOGIN") or SANDBOX_LOGIN)
    parser.add_argument("--password", default=env.get("STORE_POST_PASSWORD") or SANDBOX_PASSWORD)
    parser.add_argument("--token", default=env.get("STORE_POST_OTPRAVKA_TOKEN") or SANDBOX_TOKEN)
    parser.add_argument(
        "--state-file",
        default=env.get("STORE_POST_SANDBOX_STATE", str(ROOT / "var" / "run" / "post-sandbox.json")),
        help="JSON file keeping parcels and the clock across restarts; empty string: memory only",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s post-sandbox %(message)s")
    state_file = Path(args.state_file) if args.state_file else None
    if state_file:
        state_file.parent.mkdir(parents=True, exist_ok=True)
    server = PostSandboxServer(
        host=args.host,
        port=args.port,
        login=args.login,
        password=args.password,
        token=args.token,
        speed=args.speed,
        state_file=state_file,
    )
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print(
        f"Postal sandbox: single {server.single_url}  batch {server.batch_url}  Otpravka {server.otpravka_url}"
        f"  (clock x{args.speed:g})",
        flush=True,
    )
    try:
        server.serve_forever()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
