"""`make test`: pytest against real PostgreSQL and Redis (embedded ones unless DATABASE_URL/REDIS_URL are set)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from devtools.stack import VAR, EmbeddedPostgres, EmbeddedRedis, StackError

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str]) -> int:
    env = dict(os.environ)
    env["DJANGO_SETTINGS_MODULE"] = "storefront.settings.test"
    started = []
    try:
        if not env.get("DATABASE_URL"):
            pg = EmbeddedPostgres()
            env["DATABASE_URL"] = pg.start()
            started.append(pg)
        if not env.get("REDIS_URL"):
            redis = EmbeddedRedis(name="redis-test")
            env["REDIS_URL"] = redis.start()
            started.append(redis)
    except StackError as exc:
        print(f"\n{exc}\n", file=sys.stderr)
        return 1
    try:
        return subprocess.run([sys.executable, "-m", "pytest", *argv], check=False, cwd=ROOT, env=env).returncode
    finally:
        for svc in reversed(started):
            if isinstance(svc, EmbeddedRedis):
                svc.stop()
        # the embedded PostgreSQL is left running only if `make run` uses it; stop it when we started it
        for svc in started:
            if isinstance(svc, EmbeddedPostgres) and not (VAR / "run" / "children.pids").exists():
                svc.stop()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
