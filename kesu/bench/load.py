"""HTTP under load: ``kesu serve`` (gunicorn) on loopback, driven by concurrent virtual users (asyncio, with the
minimal keep-alive client of ``kesu/bench/httpclient.py``: one connection per virtual user and role).

Each account signs in once (its session is shared by the virtual users acting as it). The run has two parts:

- alone: each request kind is driven by all virtual users on its own — first ``/healthz``, the cheapest request the
  application answers (the whole middleware stack, no database), then the office's home page, a grid cell save by a
  填报员 and an API analytics query with a personal access token. Each kind's throughput is reported as a ratio to
  ``/healthz``'s in the same run, so machines and load can be compared.
- mixed: the virtual users loop over the three kesu requests, as before, for latency percentiles and throughput.

Latency is measured per request kind on the client side (so it includes queueing in the server); the server runs
with ``KESU_SERVER_TIMING=1`` and reports, per request, the CPU time of the thread that served it, which is
collected as CPU ms per request by kind, with the
number of SQL statements each request made. The generator runs on the same cores as the server, so each part also
reports the generator's own CPU time per request it sent (``Driven.client_cpu_ms_per_request``): the share of the
machine the measurement itself took. An error is a transport failure, an HTTP status ≥ 400, or a cell save
answered with a refusal."""

import asyncio
import os
import re
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from .httpclient import Connection

PASSWORD = "Bench-Password-2026"
HOST = "127.0.0.1"
# Searched in the answers' bytes: a page the generator does not read is never decoded.
VERSION = re.compile(rb'name="version" value="(\d+)"')
CSRF = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')


@dataclass
class Actors:
    office: str  # username of the county office user (dashboard)
    fillers: list  # (username, cell save path) per virtual user slot
    token: str  # API token of the office user
    api_query: str


KINDS = ("dashboard", "cell_save", "api_analytics")
BASELINE = "baseline"
SERVER_CPU = re.compile(r"cpu;dur=([0-9.]+)")
SERVER_QUERIES = re.compile(r'db;desc="(\d+)"')
SERVER_PROCESS = re.compile(r'proc;desc="(\d+)"')


@dataclass
class Samples:
    ms: dict = field(default_factory=lambda: {k: [] for k in (BASELINE, *KINDS)})
    cpu_ms: dict = field(default_factory=lambda: {k: [] for k in (BASELINE, *KINDS)})
    queries: dict = field(default_factory=lambda: {k: [] for k in (BASELINE, *KINDS)})
    errors: dict = field(default_factory=lambda: {k: 0 for k in (BASELINE, *KINDS)})
    by_process: dict = field(default_factory=dict)  # worker process id → latencies (ms) of the requests it served
    first_error: str = ""
    probes: int = 0  # requests sent but not measured (a cell's current version before the loop)

    def sent(self) -> int:
        return sum(len(v) for v in self.ms.values()) + self.probes

    def record(self, kind: str, started: float, response, ok: bool, detail: str) -> None:
        self.ms[kind].append((time.perf_counter() - started) * 1000)
        timing = response.headers.get("server-timing", "") if response is not None else ""
        cpu, queries = SERVER_CPU.search(timing), SERVER_QUERIES.search(timing)
        if cpu:
            self.cpu_ms[kind].append(float(cpu.group(1)))
        if queries:
            self.queries[kind].append(int(queries.group(1)))
        process = SERVER_PROCESS.search(timing)
        if process:
            self.by_process.setdefault(process.group(1), []).append(self.ms[kind][-1])
        if not ok:
            self.errors[kind] += 1
            self.first_error = self.first_error or f"{kind}: {detail}"


@dataclass
class Driven:
    """One part of the run: its samples, wall seconds, and the CPU this process (the load generator) spent on it."""
    samples: Samples
    seconds: float
    client_cpu_s: float
    server_cpu_s: float | None  # every process of ``kesu serve`` (None where /proc cannot be read)
    requests: int  # every request sent, the measured ones and each cell's version probe

    @property
    def client_cpu_ms_per_request(self) -> float | None:
        return round(self.client_cpu_s * 1000 / self.requests, 3) if self.requests else None

    @property
    def server_cpu_ms_per_request(self) -> float | None:
        """The server's whole CPU per request: the views' (``Server-Timing``) plus gunicorn's own work around them."""
        if self.server_cpu_s is None or not self.requests:
            return None
        return round(self.server_cpu_s * 1000 / self.requests, 3)


@dataclass
class LoadResult:
    mixed: Driven
    alone: dict  # kind → Driven (that kind alone)
    workers: int
    threads: int


def prepare_actors(county, users: int) -> Actors:
    """Office user, 填报员 accounts (one cell each) and an API token in the benchmark county."""
    from kesu.accounts.models import Role, User
    from kesu.accounts.services import token_create
    from kesu.bench.generate import UNIT_SET, value_indicators
    from kesu.collection.models import DataSet
    from kesu.orgs.models import Unit

    office = User.objects.filter(username="bench_office").first() or User.objects.create_user(
        username="bench_office", password=PASSWORD, role=Role.OFFICE, region=county)
    _, token = token_create(actor=office, name=f"基准测试{int(time.time())}")
    # The county's own yearly data set for its units: the grid a 填报员 of the county fills in.
    ds, created = DataSet.objects.get_or_create(
        region=county, code=f"{UNIT_SET}_{county.code}",
        defaults={"name": "基准单位年报", "period_type": "Y", "units_report": True, "sort": 902})
    editable = [i.pk for i in value_indicators()[:6]]
    if created:
        ds.indicators.set(editable)
    units = list(Unit.objects.filter(region=county, name__startswith=county.name).order_by("sort", "pk"))
    year = time.localtime().tm_year
    fillers = []
    for n in range(users):
        unit = units[n % len(units)]
        name = f"bench_filler_{unit.pk}"
        if not User.objects.filter(username=name).exists():
            User.objects.create_user(username=name, password=PASSWORD, role=Role.FILLER, unit=unit)
        indicator = editable[(n // len(units)) % len(editable)]
        fillers.append((name, f"/collection/grid/{ds.pk}/{year}/{county.pk}/{unit.pk}/cell/{indicator}/"))
    codes = ",".join(i.code for i in value_indicators()[:10])
    return Actors(office="bench_office", fillers=fillers, token=token,
                  api_query=f"/api/analytics?indicators={codes}&region={county.code}&periods={year - 1}"
                            f"&group_by=region")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(port: int, workers: int, threads: int) -> subprocess.Popen:
    """``kesu serve`` in its own process group, on the database this process uses (same environment)."""
    proc = subprocess.Popen([sys.executable, "-m", "kesu.cli", "serve", "--port", str(port), "--workers",
                             str(workers), "--threads", str(threads), "--no-worker"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            start_new_session=True, env={**os.environ, "KESU_SERVER_TIMING": "1"})
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("Web 服务未能启动：" + proc.stderr.read().decode(errors="replace")[-2000:])
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return proc
        except OSError:
            time.sleep(0.3)
    stop_server(proc)
    raise RuntimeError("Web 服务 60 秒内未就绪")


def process_group_cpu(pgid: int) -> float | None:
    """CPU seconds (user + system) used so far by the live processes of a process group, from Linux's /proc; None
    where there is no /proc. A process that exits takes its time with it: gunicorn's workers live for the run."""
    total, found = 0, False
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()  # after the command name, which may hold spaces
        except OSError:  # the process ended while the list was read
            continue
        if int(fields[2]) == pgid:  # field 5 of proc(5): the process group
            total += int(fields[11]) + int(fields[12])  # fields 14 and 15: utime and stime, in clock ticks
            found = True
    return total / os.sysconf("SC_CLK_TCK") if found else None


def stop_server(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


async def _sessions(port: int, actors: Actors) -> dict:
    """Sign each account in once (password hashing is deliberately slow) and share its cookies among the virtual
    users that act as it, as browsers of colleagues sharing a login would."""
    out = {}
    for username in [actors.office, *sorted({f for f, _ in actors.fillers})]:
        conn = Connection(HOST, port, timeout=120)
        try:
            await _login(conn, username)
        finally:
            conn.close()
        out[username] = dict(conn.cookies)
    return out


async def _login(conn: Connection, username: str) -> None:
    page = await conn.get("/accounts/login/")
    token = CSRF.search(page.body)
    response = await conn.post("/accounts/login/", {
        "username": username, "password": PASSWORD, "csrfmiddlewaretoken": token.group(1).decode() if token else ""},
        headers={"Referer": f"http://{HOST}:{conn.port}/accounts/login/"})
    if response.status != 302 or "sessionid" not in conn.cookies:
        raise RuntimeError(f"{username} 登录失败（HTTP {response.status}）")


def _save_headers(conn: Connection, path: str) -> dict:
    # The CSRF token is the csrftoken cookie (as HTMX sends it from the page); the Referer is checked only on HTTPS.
    return {"X-CSRFToken": conn.cookies.get("csrftoken", ""), "HX-Request": "true",
            "Referer": f"http://{HOST}:{conn.port}{path}"}


async def _current_version(conn: Connection, path: str) -> int:
    """The cell's version as stored (an earlier pass may have saved it): a save with a stale version is refused
    and answered with the current one. Not measured."""
    r = await conn.post(path, {"value": "1", "version": "0", "explanation": "基准测试"}, headers=_save_headers(conn, path))
    found = VERSION.search(r.body)
    return int(found.group(1)) if found else 0


async def _user(n, port: int, actors: Actors, cookies: dict, budget: list, deadline: float, samples: Samples,
                kinds: tuple) -> None:
    filler, cell_path = actors.fillers[n]
    # One keep-alive connection per role, as one browser per role would hold.
    office, form = Connection(HOST, port), Connection(HOST, port)
    api = Connection(HOST, port, headers={"Authorization": f"Bearer {actors.token}"})
    office.set_cookies(cookies[actors.office])
    form.set_cookies(cookies[filler])
    try:
        await _loop(n, actors, office, form, api, cell_path, budget, deadline, samples, kinds)
    finally:
        for conn in (office, form, api):
            conn.close()


async def _loop(n, actors: Actors, office: Connection, form: Connection, api: Connection, cell_path: str,
                budget: list, deadline: float, samples: Samples, kinds: tuple) -> None:
    version = 0
    if "cell_save" in kinds:
        samples.probes += 1
        try:
            version = await _current_version(form, cell_path)
        except Exception as exc:  # counted like any failed request  # noqa: BLE001
            samples.errors["cell_save"] += 1
            samples.first_error = samples.first_error or f"cell_save: {type(exc).__name__}: {exc}"
    i = n
    while budget[0] > 0 and time.monotonic() < deadline:
        budget[0] -= 1
        kind = kinds[i % len(kinds)]
        i += 1
        started, r = time.perf_counter(), None
        try:
            if kind == BASELINE:
                r = await office.get("/healthz")
                ok = r.status == 200
            elif kind == "dashboard":
                r = await office.get("/")  # the page is read only for its status: its bytes are not decoded
                ok = r.status == 200
            elif kind == "cell_save":
                r = await form.post(cell_path, {"value": str(100 + i % 900), "version": str(version),
                                                "explanation": "基准测试"}, headers=_save_headers(form, cell_path))
                found = VERSION.search(r.body)
                ok = r.status == 200 and b"cell-error" not in r.body and found is not None
                if found:
                    version = int(found.group(1))
            else:
                r = await api.get(actors.api_query)
                ok = r.status == 200
            detail = f"HTTP {r.status}"
        except Exception as exc:  # a refused or timed-out connection is an error, not a crash  # noqa: BLE001
            ok, detail = False, f"{type(exc).__name__}: {exc}"
        samples.record(kind, started, r, ok, detail)


async def _drive(port: int, actors: Actors, users: int, requests: int, seconds: float, kinds: tuple,
                 server_cpu=lambda: None) -> Driven:
    """Drive ``kinds`` with ``users`` virtual users. The sign-ins come first and are not part of the figures; the
    process CPU time of the rest is the load generator's own cost, which shares the machine's cores with the server
    (whose CPU over the same span ``server_cpu()`` reads)."""
    budget, samples = [requests], Samples()
    cookies = await _sessions(port, actors)
    server_before = server_cpu()
    started, cpu = time.perf_counter(), time.process_time()
    deadline = time.monotonic() + seconds
    await asyncio.gather(*[_user(n, port, actors, cookies, budget, deadline, samples, kinds) for n in range(users)])
    client_cpu, elapsed = time.process_time() - cpu, time.perf_counter() - started
    server_after = server_cpu()
    return Driven(samples=samples, seconds=elapsed, client_cpu_s=client_cpu,
                  server_cpu_s=None if server_before is None or server_after is None else server_after - server_before,
                  requests=samples.sent())


def run(county, *, users: int, requests: int, seconds: float, workers: int | None = None,
        threads: int | None = None) -> LoadResult:
    """Start the server, warm it up (one pass with a few users), drive each kind alone, then the mixed run."""
    from django.db import connections

    actors = prepare_actors(county, users)
    connections.close_all()  # SQLite: let the server processes write without waiting for this one
    port = free_port()
    from kesu.core.management.commands.kesu_serve import THREADS, default_workers

    workers, threads = workers or default_workers(), threads or THREADS
    proc = start_server(port, workers, threads)
    try:
        asyncio.run(_drive(port, actors, min(users, 5), min(requests, 30), seconds, KINDS))
        per_kind = max(requests // 3, users * 2)
        server_cpu = lambda: process_group_cpu(proc.pid)  # noqa: E731 - the server runs in its own process group
        alone = {kind: asyncio.run(_drive(port, actors, users, per_kind, seconds / 2, (kind,), server_cpu))
                 for kind in (BASELINE, *KINDS)}
        mixed = asyncio.run(_drive(port, actors, users, requests, seconds, KINDS, server_cpu))
    finally:
        stop_server(proc)
    return LoadResult(mixed=mixed, alone=alone, workers=workers, threads=threads)
