"""`make bench`: gunicorn started as in production, wrk on loopback, ratios to a ceiling measured in the same run.

    DATABASE_URL=postgres://postgres@/%2Fvar%2Frun%2Fpostgresql/store_bench REDIS_URL=redis://127.0.0.1:6379/9 \
        .venv/bin/python -m benchmarks.run [-c 8,32,128] [-d 10] [--repeats 2] [--only home]

Order per connection count: for each repeat, the ceiling then every scenario; the ceiling once more at the end.
Figures are medians of the repeats; see benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import runpy
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

from benchmarks import cpu, report
from benchmarks.scenarios import CEILING, SCENARIOS, Scenario

ROOT = Path(__file__).resolve().parent.parent
HERE = Path(__file__).resolve().parent
WRK_DIR = HERE / "wrk"
RESULTS = HERE / "results"
SETTINGS = "benchmarks.settings"
MAX_DURATION_S = 120  # per wrk run: every run is bounded


class BenchError(RuntimeError):
    pass


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__.split("\n")[0])
    p.add_argument("-c", "--connections", default="32", help="wrk -c levels, comma-separated (e.g. 8,32,128)")
    p.add_argument("-t", "--threads", type=int, default=2, help="wrk -t (default 2)")
    p.add_argument("-d", "--duration", type=int, default=10, help="seconds per wrk run (default 10)")
    p.add_argument("--repeats", type=int, default=2, help="runs per figure, median reported (default 2, minimum 2)")
    p.add_argument("--warmup", type=int, default=3, help="seconds of warm-up per scenario (default 3)")
    p.add_argument(
        "--workers", type=int, default=None, help="gunicorn sync workers (default: production's, gunicorn.conf.py)"
    )
    p.add_argument("--only", default="", help="comma-separated scenario names (the ceiling always runs)")
    p.add_argument("--access-log", action="store_true", help="gunicorn --access-logfile - (production's) to a file")
    p.add_argument(
        "--quiet-below",
        type=float,
        default=0.15,
        help="before each run wait until the machine is less busy than this fraction (default 0.15)",
    )
    p.add_argument("--quiet-wait", type=int, default=60, help="at most this many seconds per wait (0: never wait)")
    p.add_argument(
        "--max-others",
        type=float,
        default=0.2,
        help="re-run a figure's run when other processes took more than this fraction of the CPUs (default 0.2)",
    )
    p.add_argument("--retries", type=int, default=2, help="at most this many re-runs per run (default 2)")
    p.add_argument(
        "--prime",
        action="store_true",
        help="before the warm-up, request every path of the many-URL scenarios once (2 at a time): fills the shared "
        "caches, and its latencies are the cold pass (printed, and saved as `prime` in the JSON)",
    )
    p.add_argument("--no-seed", action="store_true", help="skip `manage.py seed_demo --if-empty`")
    p.add_argument("--list", action="store_true", help="list the scenarios and exit")
    args = p.parse_args(argv)
    args.connections = [int(c) for c in args.connections.split(",") if c.strip()]
    if args.repeats < 2:
        p.error("--repeats must be at least 2: every figure is run at least twice")
    if not 1 <= args.duration <= MAX_DURATION_S:
        p.error(f"--duration must be between 1 and {MAX_DURATION_S} seconds")
    if any(c < args.threads for c in args.connections):
        p.error("each -c level must be at least -t (wrk gives every thread one connection or more)")
    return args


def selected_scenarios(only: str) -> list[Scenario]:
    if not only:
        return list(SCENARIOS)
    names = {n.strip() for n in only.split(",") if n.strip()}
    unknown = names - {s.name for s in SCENARIOS}
    if unknown:
        raise BenchError(f"unknown scenario(s): {', '.join(sorted(unknown))}; see --list")
    return [s for s in SCENARIOS if s.name in names]


# --- environment ---------------------------------------------------------------------------------


def bench_env() -> dict[str, str]:
    env = dict(os.environ)
    missing = [k for k in ("DATABASE_URL", "REDIS_URL") if not env.get(k)]
    if missing:
        raise BenchError(
            f"set {' and '.join(missing)}: benchmarks run against a PostgreSQL and Redis you name, e.g.\n"
            "  DATABASE_URL=postgres://postgres@/%2Fvar%2Frun%2Fpostgresql/store_bench "
            "REDIS_URL=redis://127.0.0.1:6379/9 make bench"
        )
    for key in ("DATABASE_URL", "REDIS_URL"):
        host = urlsplit(env[key]).hostname
        if host and host not in ("127.0.0.1", "localhost", "::1"):
            raise BenchError(f"{key} points at {host}: benchmarks run on loopback only")
    env["DJANGO_SETTINGS_MODULE"] = SETTINGS
    env.setdefault("SECRET_KEY", "bench-" + secrets.token_urlsafe(48))  # one per run, shared by both workers
    env.setdefault("CACHE_KEY_PREFIX", "bench")
    env.setdefault("LOG_LEVEL", "WARNING")
    env["PYTHONUNBUFFERED"] = "1"
    return env


def manage(*args: str, env: dict[str, str], check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=check, capture_output=True, text=True
    )


def prepare_database(env: dict[str, str], *, seed: bool) -> str:
    print("migrate, collectstatic ...", flush=True)
    for cmd in (("migrate", "--noinput"), ("collectstatic", "--noinput")):
        res = manage(*cmd, env=env, check=False)
        if res.returncode != 0:
            raise BenchError(f"manage.py {' '.join(cmd)} failed:\n{res.stdout[-2000:]}{res.stderr[-4000:]}")
    if not seed:
        return "skipped (--no-seed)"
    if manage("help", "seed_demo", env=env, check=False).returncode != 0:
        return "no seed_demo command yet"
    print("seed_demo --if-empty ...", flush=True)
    res = manage("seed_demo", "--if-empty", env=env, check=False)
    if res.returncode != 0:
        raise BenchError(f"manage.py seed_demo --if-empty failed:\n{res.stdout[-2000:]}{res.stderr[-4000:]}")
    return "seed_demo --if-empty: " + (res.stdout.strip().splitlines() or ["ok"])[-1]


# --- gunicorn ------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Gunicorn:
    """`gunicorn storefront.wsgi` as in the Dockerfile (its settings from gunicorn.conf.py, run from the project
    folder), bound to loopback; always stopped on exit."""

    def __init__(self, env: dict[str, str], *, workers: int | None, access_log: bool, log_dir: Path) -> None:
        self.env = env
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.log = log_dir / "server.log"  # gunicorn's own log and Django's (JSON lines on stderr), as in production
        exe = Path(sys.executable).with_name("gunicorn")
        self.command = [
            str(exe) if exe.exists() else "gunicorn",
            "storefront.wsgi",
            "-b",
            f"127.0.0.1:{self.port}",
        ]
        if workers is not None:
            self.command += ["-w", str(workers)]
        # what gunicorn will run: -w, else gunicorn.conf.py's (WEB_CONCURRENCY or two per core)
        self.workers = workers or runpy.run_path(str(ROOT / "gunicorn.conf.py"))["workers"]
        if access_log:
            self.command += ["--access-logfile", str(log_dir / "access.log")]
        self.proc: subprocess.Popen | None = None
        self.log_file = None

    def __enter__(self) -> Gunicorn:
        print("$ " + " ".join(self.command), flush=True)
        self.log_file = self.log.open("ab")
        self.proc = subprocess.Popen(
            self.command,
            cwd=ROOT,
            env=self.env,
            stdout=self.log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: Ctrl-C reaches us, and we stop it with its workers
        )
        try:
            self.wait_ready()
        except BaseException:  # not ready, or Ctrl-C while waiting: __exit__ would not run
            self.__exit__()
            raise
        return self

    def wait_ready(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise BenchError(f"gunicorn exited with {self.proc.returncode}; see {self.log}:\n{self.log_tail()}")
            with contextlib.suppress(OSError):
                if http_status(self.base_url + CEILING.path) == 200:
                    return
            time.sleep(0.2)
        raise BenchError(f"gunicorn not ready after {timeout}s; see {self.log}:\n{self.log_tail()}")

    def log_tail(self, chars: int = 3000) -> str:
        return self.log.read_text(errors="replace")[-chars:] if self.log.exists() else ""

    def errors_since(self, offset: int) -> list[str]:
        """Error lines the server logged after `offset` bytes of its log (Django logs every 5xx)."""
        with self.log.open("rb") as f:
            f.seek(offset)
            text = f.read().decode(errors="replace")
        return [line for line in text.splitlines() if '"level": "ERROR"' in line or "[ERROR]" in line]

    def log_size(self) -> int:
        return self.log.stat().st_size if self.log.exists() else 0

    def __exit__(self, *exc) -> None:
        try:
            self._stop()
        finally:
            if self.log_file:
                self.log_file.close()

    def _stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=5)


def http_status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=5) as resp:
            return resp.status
    except urllib.error.HTTPError as exc:
        return exc.code


# --- wrk -----------------------------------------------------------------------------------------


def quote_path(path: str) -> str:
    """Percent-encode what a browser would (Cyrillic search queries), keep the URL syntax."""
    parts = urlsplit(path)
    return urlunsplit(("", "", quote(parts.path, safe="/%:@"), quote(parts.query, safe="=&%+:/,"), ""))


class Target:
    """A scenario made concrete for this run: the URL for wrk and the arguments after `--`."""

    def __init__(self, scenario: Scenario, base_url: str, workdir: Path) -> None:
        self.scenario = scenario
        self.script = WRK_DIR / scenario.script
        self.args = list(scenario.args)
        self.headers = scenario.headers(base_url) if callable(scenario.headers) else dict(scenario.headers)
        self.url = base_url + quote_path(scenario.path)
        self.first_path = scenario.path
        if scenario.paths is not None:
            paths = [quote_path(p) for p in scenario.paths()]
            if not paths:
                raise BenchError(f"scenario {scenario.name}: its paths() returned nothing")
            paths_file = workdir / f"{scenario.name}.paths"
            paths_file.write_text("\n".join(paths) + "\n")
            if scenario.script == "report.lua":
                self.script = WRK_DIR / "paths.lua"
            self.args.append(f"file={paths_file}")
            self.first_path = paths[0]
            self.url = base_url + paths[0]
        if not self.script.exists():
            raise BenchError(f"scenario {scenario.name}: no Lua script {self.script}")

    def command(self, *, threads: int, connections: int, duration: int) -> list[str]:
        cmd = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--timeout", "5s", "-s", str(self.script)]
        for key, value in self.headers.items():
            cmd += ["-H", f"{key}: {value}"]
        cmd.append(self.url)
        if self.args:
            cmd += ["--", *self.args]
        return cmd


def run_wrk(
    target: Target, *, threads: int, connections: int, duration: int, meter: cpu.CpuMeter | None = None
) -> dict:
    cmd = target.command(threads=threads, connections=connections, duration=duration)
    before = meter.snapshot() if meter else None
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=duration + 30, cwd=WRK_DIR, check=False)
    after = meter.snapshot() if meter else None
    if res.returncode != 0:
        raise BenchError(f"wrk failed ({res.returncode}): {' '.join(cmd)}\n{res.stdout}{res.stderr}")
    run = report.parse_wrk_output(res.stdout)
    run["command"] = cmd
    run["cpu"] = cpu.CpuMeter.share(before, after)
    return run


def prime(targets: list[Target], base_url: str, concurrency: int = 2) -> dict:
    """Each path of each many-URL scenario once, `concurrency` at a time: the cold pass (every request a cache miss
    unless an earlier run filled the cache). Returns per scenario the count, p50/p95/max in ms and non-200 answers."""

    def one(path: str) -> tuple[float, int]:
        start = time.perf_counter()
        try:
            status = http_status(base_url + path)
        except OSError:  # a timeout (5 s) or a dropped connection: counted as not 200
            status = 0
        return (time.perf_counter() - start) * 1000, status

    primed = {}
    for target in targets:
        if target.scenario.paths is None or target.scenario.script != "report.lua":
            continue  # one URL, or a script of its own (POSTs): nothing to prime
        paths = Path(next(a for a in target.args if a.startswith("file="))[5:]).read_text().split()
        started = time.perf_counter()
        with ThreadPoolExecutor(concurrency) as pool:
            answers = list(pool.map(one, paths))
        ms = sorted(a[0] for a in answers)
        primed[target.scenario.name] = {
            "paths": len(paths),
            "concurrency": concurrency,
            "seconds": round(time.perf_counter() - started, 1),
            "p50_ms": round(ms[len(ms) // 2], 1),
            "p95_ms": round(ms[min(len(ms) - 1, round(0.95 * (len(ms) - 1)))], 1),
            "max_ms": round(ms[-1], 1),
            "non_200": sum(1 for a in answers if a[1] != 200),
        }
        print(f"prime {target.scenario.name}: {primed[target.scenario.name]}", flush=True)
    return primed


def loadavg() -> str:
    with contextlib.suppress(OSError):
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    return "?"


def measure(
    args: argparse.Namespace, server: Gunicorn, ceiling: Target, targets: list[Target], meter: cpu.CpuMeter
) -> dict:
    levels: dict[str, dict] = {}
    w = {"threads": args.threads, "duration": args.duration, "meter": meter}
    if args.warmup:
        print(f"warm-up: {args.warmup}s per scenario", flush=True)
        for t in (ceiling, *targets):
            run_wrk(t, threads=args.threads, connections=args.connections[0], duration=args.warmup)
    if args.quiet_wait:
        print(f"before each run: wait up to {args.quiet_wait}s for the machine to be < {args.quiet_below:.0%} busy")
    for c in args.connections:
        ceiling_runs: list[dict] = []
        runs: dict[str, list[dict]] = {t.scenario.name: [] for t in targets}

        def one(target: Target, into: list[dict], c: int = c) -> None:
            """One figure's run; retried (bounded) while other processes took more than --max-others of the CPUs."""
            attempts = []
            for _ in range(1 + args.retries):
                quiet = None
                if args.quiet_wait:
                    quiet = cpu.wait_until_quiet(threshold=args.quiet_below, timeout=args.quiet_wait)
                log_offset = server.log_size()
                run = run_wrk(target, connections=c, **w)
                if run["non_2xx_3xx"]:  # what were they? the status now, and what the server logged meanwhile
                    errors = server.errors_since(log_offset)
                    run["status_after"] = http_status(target.url)
                    run["server_errors"] = {"count": len(errors), "sample": [e[:2000] for e in errors[:3]]}
                    print(
                        f"  {run['non_2xx_3xx']} non-2xx/3xx answers; {target.url} now answers {run['status_after']}; "
                        f"{len(errors)} error lines logged" + (f", first: {errors[0][:300]}" if errors else ""),
                        file=sys.stderr,
                    )
                run["busy_before"] = quiet
                run["loadavg_after"] = loadavg()
                attempts.append(run)
                others = run["cpu"]["others"] if run["cpu"] else None
                print(
                    f"  -c{c} {target.scenario.name:<12} {run['rps']:>9,.0f} req/s  "
                    f"p50 {run['latency_us']['p50'] / 1000:.2f} ms  p95 {run['latency_us']['p95'] / 1000:.2f} ms"
                    + ("" if others is None else f"  others' CPU {others:.0%}")
                    + (f"  errors {run['errors']}" if run["non_2xx_3xx"] or run["socket_errors"] else ""),
                    flush=True,
                )
                if others is None or others <= args.max_others:
                    break
            # the least disturbed attempt counts; the others are kept in the JSON
            best = min(attempts, key=lambda r: r["cpu"]["others"] if r["cpu"] else 0)
            best["discarded_attempts"] = [a for a in attempts if a is not best]
            into.append(best)

        for _ in range(args.repeats):
            one(ceiling, ceiling_runs)
            for t in targets:
                one(t, runs[t.scenario.name])
        one(ceiling, ceiling_runs)  # first and last: the ceiling brackets the scenarios
        levels[str(c)] = {
            "ceiling": report.ceiling_summary(ceiling_runs),
            "ceiling_runs": ceiling_runs,
            "scenarios": {name: {**report.summarise(rs), "runs": rs} for name, rs in runs.items()},
        }
    return levels


# --- the run -------------------------------------------------------------------------------------


def machine() -> dict:
    cpu = "?"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    wrk_version = subprocess.run(["wrk", "-v"], capture_output=True, text=True, check=False).stdout.splitlines()
    return {
        "host": platform.node(),
        "cpus": os.cpu_count(),
        "cpu": cpu,
        "python": platform.python_version(),
        "wrk": wrk_version[0] if wrk_version else "?",
    }


def git_commit() -> str:
    res = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=False)
    dirty = subprocess.run(["git", "status", "--porcelain"], cwd=ROOT, capture_output=True, text=True, check=False)
    return res.stdout.strip() + ("+dirty" if dirty.stdout.strip() else "")


def purge_celery(env: dict[str, str]) -> str:
    """No worker runs during a benchmark: drop what scenarios queued (webhooks, notifications) from the bench broker."""
    res = subprocess.run(
        [sys.executable, "-m", "celery", "-A", "storefront", "purge", "-f"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    said = (res.stdout.strip().splitlines() or ["nothing"])[-1]
    if res.returncode != 0:
        said = f"celery purge failed ({res.returncode}): {res.stderr.strip()[-300:]}"
    print(f"celery queues of the bench broker: {said}", flush=True)
    return said


def redact(url: str) -> str:
    parts = urlsplit(url)
    if parts.password:
        return url.replace(f":{parts.password}@", ":***@")
    return url


def resolve_paths(env: dict[str, str], scenarios: list[Scenario]) -> None:
    """Scenarios with a paths() callable may query the bench database: set Django up for them, in this process."""
    if not any(s.paths is not None for s in scenarios):
        return
    os.environ.update({k: env[k] for k in ("DJANGO_SETTINGS_MODULE", "SECRET_KEY", "DATABASE_URL", "REDIS_URL")})
    import django

    django.setup()


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.list:
        for s in (CEILING, *SCENARIOS):
            print(f"{s.name:<12} {s.describe}")
        return 0
    if not shutil.which("wrk"):
        print("wrk not found (apt-get install wrk)", file=sys.stderr)
        return 1

    # SIGTERM ends the run like Ctrl-C does: through the finally blocks that stop gunicorn.
    signal.signal(signal.SIGTERM, _interrupt)
    started = datetime.now(UTC)
    load_before = loadavg()
    stamp = started.strftime("%Y%m%dT%H%M%SZ")
    RESULTS.mkdir(exist_ok=True)
    try:
        env = bench_env()
        scenarios = selected_scenarios(args.only)
        seeded = prepare_database(env, seed=not args.no_seed)
        resolve_paths(env, scenarios)
        busy = cpu.machine_busy(2.0)
        if busy is not None and busy > 0.25:
            print(f"WARNING: the machine is {busy:.0%} busy before the run; figures will be low", file=sys.stderr)
        with (
            tempfile.TemporaryDirectory(prefix="bench-") as tmp,
            Gunicorn(env, workers=args.workers, access_log=args.access_log, log_dir=Path(tmp)) as server,
        ):
            ceiling = Target(CEILING, server.base_url, Path(tmp))
            targets = [Target(s, server.base_url, Path(tmp)) for s in scenarios]
            checks = {t.scenario.name: http_status(t.url) for t in (ceiling, *targets)}
            for name, status in checks.items():
                if status >= 400:
                    print(f"WARNING: {name} answers {status}; its figures measure an error page", file=sys.stderr)
            meter = cpu.CpuMeter(server_pid=server.proc.pid, database=urlsplit(env["DATABASE_URL"]).path.split("/")[-1])
            primed = prime(targets, server.base_url) if args.prime else {}
            try:
                levels = measure(args, server, ceiling, targets, meter)
            finally:
                server_log = server.log_tail()
                purged = purge_celery(env)
    except BenchError as exc:
        print(f"\n{exc}\n", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\ninterrupted; gunicorn stopped", file=sys.stderr)
        return 130

    result = {
        "started": started.isoformat(timespec="seconds"),
        "finished": datetime.now(UTC).isoformat(timespec="seconds"),
        "commit": git_commit(),
        "machine": machine(),
        "database_url": redact(env["DATABASE_URL"]),
        "redis_url": redact(env["REDIS_URL"]),
        "seed": seeded,
        "celery_purged": purged,
        "cpu_busy_before": busy,
        "loadavg_before": load_before,
        "gunicorn": " ".join(server.command).replace(str(Path(tmp)), "$TMP"),
        "gunicorn_workers": server.workers,
        "wrk": {"threads": args.threads, "duration_s": args.duration, "repeats": args.repeats},
        "status_checks": checks,
        "prime": primed,
        "scenarios": {s.name: s.describe for s in (CEILING, *scenarios)},
        "levels": levels,
        "server_log_tail": server_log,
    }
    out = RESULTS / f"{stamp}.json"
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False))
    print()
    print(
        f"{started:%Y-%m-%d %H:%M} UTC, {result['machine']['cpus']} CPUs, {server.workers} gunicorn workers, "
        f"commit {result['commit']}, {seeded}; "
        f"busy before: {busy if busy is None else f'{busy:.0%}'}, load {load_before}"
    )
    for c, level in levels.items():
        print()
        print(report.build_table(int(c), level["ceiling"], level["scenarios"]))
    print(f"\nsaved {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
