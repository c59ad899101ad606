"""What users meet on the national data set (`bench.national`): the API calls the pages make
and the portal's pages themselves, through one origin that routes to every service as the
gateway does, with tokens (the API) and a signed-in portal session (the pages).

Each call is timed 30 times after its first call, which is printed apart (a start's caches
cold); p50 and p95 of the 30. Targets: an API call p95 < 200 ms; a page p95 < 500 ms for the
department and a region, < 300 ms for a unit. The baseline is one SQL query over the same
read-model rows the scorecard reads (a unit's tallies, own targets and due counts).
"""

from __future__ import annotations

import logging
import re
import statistics
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import psycopg
import requests
from werkzeug.serving import make_server

from deploy.seaweedfs import free_port
from services.system import build_system

RUNS = 30
YEAR = 2547
AS_OF = "2004-06-30"
PASSWORD = "demo-password"
API_MS, PAGE_MS, UNIT_PAGE_MS = 200.0, 500.0, 300.0

BASELINE = """
SELECT t.kpi, t.a_total, t.a_units, t.a_num, t.a_den, t.approved, t.pending, t.target_total,
       t.target_units, g.target,
       (SELECT sum(d.reports) FROM scorecard.due_counts d WHERE d.year = t.year
          AND d.unit = t.unit AND d.kpi = t.kpi AND d.due_on <= %(as_of)s)
FROM scorecard.tallies t
LEFT JOIN scorecard.targets g ON g.year = t.year AND g.unit = t.unit AND g.kpi = t.kpi
WHERE t.year = %(year)s AND t.unit = %(unit)s
"""


@contextmanager
def serving(env: dict[str, str]) -> Iterator[str]:
    """Every service (no background workers: the data set is loaded) on one origin."""
    port = free_port()
    env = {**env, "RBM_PORT": str(port), "RBM_GATEWAY_URL": f"http://127.0.0.1:{port}"}
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    system = build_system(env)
    server = make_server("127.0.0.1", port, system.wsgi, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield env["RBM_GATEWAY_URL"]
    finally:
        server.shutdown()
        system.shutdown()


def api_session(origin: str, username: str) -> requests.Session:
    http = requests.Session()
    resp = http.post(
        f"{origin}/api/identity/token",
        json={"username": username, "password": PASSWORD},
        timeout=60,
    )
    resp.raise_for_status()
    http.headers["Authorization"] = f"Bearer {resp.json()['access_token']}"
    return http


def portal_session(origin: str, username: str) -> requests.Session:
    http = requests.Session()
    form = http.get(f"{origin}/login", timeout=60).text
    csrf = re.search(r'name="csrf" value="([^"]+)"', form)
    assert csrf, "the sign-in page has no CSRF token"
    resp = http.post(
        f"{origin}/login",
        data={"csrf": csrf.group(1), "username": username, "password": PASSWORD},
        timeout=60,
        allow_redirects=False,
    )
    assert resp.status_code in (302, 303), f"{username} was not signed in: {resp.status_code}"
    return http


class Refused(Exception):
    """A call answered other than 200."""


def timed(call: Callable[[], object], target: float = float("inf")) -> tuple[float, float, float]:
    """(first call, p50, p95) in ms. A first call over 5x the target is not repeated: its
    p50 and p95 are given as the first call's (a missed target either way)."""
    samples = []
    for _ in range(RUNS + 1):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
        if samples[0] > 5 * target:
            return samples[0], samples[0], samples[0]
    first, rest = samples[0], samples[1:]
    return first, statistics.median(rest), statistics.quantiles(rest, n=20)[-1]


def getter(http: requests.Session, url: str) -> Callable[[], object]:
    def get() -> object:
        resp = http.get(url, timeout=120)
        if resp.status_code != 200:
            raise Refused(f"{resp.status_code} {resp.text[:120]}")
        return resp

    return get


def line(kind: str, name: str, call: Callable[[], object], target: float) -> str | None:
    """Time the call and print its figures; what missed its target, or None."""
    try:
        first, p50, p95 = timed(call, target)
    except Refused as exc:
        print(f"   {kind} {name:18} answered {exc}")
        return name
    print(f"   {kind} {name:18} first {first:7.1f} ms, p50 {p50:7.1f}, p95 {p95:7.1f} "
          f"(target < {target:.0f})")  # fmt: skip
    return name if p95 > target else None


def units_of(db_url: str) -> dict[str, str]:
    """A region, a provincial office with offices below it, and an office below one."""
    with psycopg.connect(db_url) as conn:
        province = conn.execute(
            "SELECT u.code FROM catalogue.units u WHERE u.code ~ '^P[0-9]+$' AND EXISTS "
            "(SELECT 1 FROM catalogue.units b WHERE b.parent = u.code) ORDER BY u.code LIMIT 1"
        ).fetchone()[0]
        office = conn.execute(
            "SELECT code FROM catalogue.units WHERE parent = %s ORDER BY code LIMIT 1", (province,)
        ).fetchone()[0]
        region = conn.execute(
            "SELECT parent FROM catalogue.units WHERE code = %s", (province,)
        ).fetchone()[0]
    return {"department": "PRD", "region": region, "province": province, "unit": office}


def api_calls(level: str, unit: str) -> dict[str, str]:
    at = f"unit={unit}&as_of={AS_OF}"
    calls = {
        "scorecard": f"/api/scorecard/{YEAR}?{at}",
        "units below": f"/api/scorecard/{YEAR}/units?{at}",
        "progress": f"/api/scorecard/{YEAR}/progress?{at}",
        "history": f"/api/scorecard/{YEAR}/history?{at}",
        "report list": f"/api/workflow/reports?year={YEAR}&within={unit}&limit=50",
        "review queue": f"/api/workflow/reports?year={YEAR}&within={unit}&state=endorsed&limit=50",
    }
    if level == "department":
        calls["person search"] = "/api/identity/people?q=rev"
    return calls


def page_calls(unit: str) -> dict[str, str]:
    return {
        "home page": "/",
        "dashboard page": f"/dashboard?year={YEAR}&unit={unit}",
        "progress page": f"/progress?year={YEAR}&unit={unit}",
        "review page": f"/review?year={YEAR}&within={unit}&state=endorsed",
    }


def measure(env: dict[str, str], db_url: str) -> bool:
    """Print each figure with its target and baseline; True when a target is missed."""
    missed = []
    units = units_of(db_url)
    with serving(env) as origin, psycopg.connect(db_url) as conn:
        api, pages = api_session(origin, "reviewer"), portal_session(origin, "reviewer")
        for level, unit in units.items():
            args = {"year": YEAR, "unit": unit, "as_of": AS_OF}
            _, sql50, sql95 = timed(lambda a=args: conn.execute(BASELINE, a).fetchall())
            print(f"-- {level} {unit}: one SQL query over its read-model rows p50 {sql50:.1f} "
                  f"ms, p95 {sql95:.1f} ms")  # fmt: skip
            for name, path in api_calls(level, unit).items():
                if bad := line("API", name, getter(api, f"{origin}{path}"), API_MS):
                    missed.append(f"{level} API {bad}")
            target = UNIT_PAGE_MS if level == "unit" else PAGE_MS
            for name, path in page_calls(unit).items():
                if bad := line("page", name, getter(pages, f"{origin}{path}"), target):
                    missed.append(f"{level} {bad}")
    if missed:
        print(f"missed: {', '.join(missed)}")
    return bool(missed)
