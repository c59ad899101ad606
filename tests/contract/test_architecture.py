"""The shape of the code: services import only common/, never each other; common/ no service;
views and Celery tasks open no database session (use cases own their unit of work); a runtime's
dependencies are a typed object, never a dict looked up by string; importing a module wires
nothing into the process."""

from __future__ import annotations

import ast
import subprocess
import sys
import tomllib
from dataclasses import fields
from pathlib import Path
from typing import get_args

import pytest

from common.web import Runtime
from services.portal.dependencies import Dependencies, Service

ROOT = Path(__file__).resolve().parents[2]


def _contracts() -> list[dict]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]


def test_every_service_is_held_to_the_independence_contract():
    on_disk = {f"services.{path.parent.name}" for path in (ROOT / "services").glob("*/__init__.py")}
    independent = next(c for c in _contracts() if c["type"] == "independence")
    assert set(independent["modules"]) == on_disk


def test_no_service_imports_another_and_common_imports_none():
    linter = Path(sys.executable).parent / "lint-imports"
    done = subprocess.run(
        [str(linter), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stdout + done.stderr


# What opens or drives a database session or connection. A view passes the session factory
# to a use case and never calls it: the use case owns its unit of work (common.db.transactional).
SESSION_CALLS = {
    "unit_of_work",
    "Session",
    "sessionmaker",
    "scoped_session",
    "make_session_factory",
    "make_engine",
    "session_factory",
    "begin",
    "begin_nested",
    "connect",
    "commit",
    "rollback",
    "flush",
}
# Context managers a view may use: none of them opens a transaction.
VIEW_CONTEXTS = {"suppress"}
HTTP_METHODS = {"route", "get", "post", "put", "patch", "delete"}


def _called_name(func: ast.expr) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def session_openings(source: str) -> list[str]:
    """Where a module opens a database session itself: imports of the database layer, calls
    that open, drive or commit a session, the session factory called (directly or as the
    result of a helper), and any `with` block but the harmless ones."""
    found = []
    for node in ast.walk(ast.parse(source)):
        where = f"line {getattr(node, 'lineno', '?')}"
        if isinstance(node, ast.Import | ast.ImportFrom):
            modules = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom):
                modules.append(node.module or "")
                modules += [f"{node.module}.{a.name}" for a in node.names]
            for module in modules:
                if module.split(".")[0] == "sqlalchemy" or module == "common.db":
                    found.append(f"{where}: imports {module}")
        elif isinstance(node, ast.Call):
            name = _called_name(node.func)
            if name in SESSION_CALLS:
                found.append(f"{where}: calls {name}()")
            elif isinstance(node.func, ast.Call):
                found.append(f"{where}: calls what {_called_name(node.func.func)}() returns")
        elif isinstance(node, ast.With | ast.AsyncWith):
            for item in node.items:
                context = item.context_expr
                name = _called_name(context.func if isinstance(context, ast.Call) else context)
                if name not in VIEW_CONTEXTS:
                    found.append(f"{where}: with {name}")
    return found


def _holds_views(tree: ast.Module) -> bool:
    """A module that routes a URL: a decorated view, or one added by `add_url_rule`."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and _called_name(node.func) == "add_url_rule":
            return True
        if isinstance(node, ast.FunctionDef | ast.ClassDef):
            for decorator in node.decorator_list:
                if isinstance(decorator, ast.Call) and _called_name(decorator.func) in HTTP_METHODS:
                    return True
    return False


def _decorated_with(tree: ast.Module, names: set[str]) -> list[ast.FunctionDef | ast.ClassDef]:
    """The functions and classes of a module decorated by a call named in `names`."""
    return [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.ClassDef)
        and any(
            isinstance(d, ast.Call) and _called_name(d.func) in names for d in node.decorator_list
        )
    ]


def body_openings(source: str, decorators: set[str]) -> list[str]:
    """Where the views or tasks (what `decorators` mark) of a module that also builds things,
    such as an app factory, open a database session themselves."""
    found = []
    for node in _decorated_with(ast.parse(source), decorators):
        body = ast.Module(body=node.body, type_ignores=[])
        found += [f"{node.name}: {where}" for where in session_openings(ast.unparse(body))]
    return found


def _paths_with(folder: Path, decorators: set[str]) -> list[Path]:
    return sorted(
        path
        for path in folder.rglob("*.py")
        if _decorated_with(ast.parse(path.read_text(encoding="utf-8")), decorators)
    )


TASK_DECORATORS = {"task"}
# Modules of common/ that serve views (the events feed, health), and every module of Celery tasks.
COMMON_VIEW_MODULES = _paths_with(ROOT / "common", HTTP_METHODS)
TASK_MODULES = _paths_with(ROOT / "services", TASK_DECORATORS)


def test_the_views_of_common_and_the_tasks_of_every_worker_are_found():
    assert ROOT / "common/feed.py" in COMMON_VIEW_MODULES
    assert {ROOT / "services/evidence/worker.py", ROOT / "services/notifications/tasks.py"} <= set(
        TASK_MODULES
    )


@pytest.mark.parametrize("module", COMMON_VIEW_MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_view_of_common_opens_a_database_session(module):
    assert body_openings(module.read_text(encoding="utf-8"), HTTP_METHODS) == []


@pytest.mark.parametrize("module", TASK_MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_celery_task_opens_a_database_session(module):
    assert body_openings(module.read_text(encoding="utf-8"), TASK_DECORATORS) == []


@pytest.mark.parametrize(
    ("source", "decorators"),
    [
        (
            "@app.task(name='x', bind=True)\n"
            "def sweep(self):\n"
            "    rt = runtime_for(self.app)\n"
            "    with unit_of_work(rt.factory) as session:\n"
            "        return stale(session)\n",
            TASK_DECORATORS,
        ),
        (
            "def feed_blueprint(outbox):\n"
            "    @blp.route('/events')\n"
            "    class Events(MethodView):\n"
            "        def get(self, query):\n"
            "            with unit_of_work(runtime.session_factory, writes=False) as session:\n"
            "                return read_feed(session, outbox, 0, 10)\n",
            HTTP_METHODS,
        ),
    ],
    ids=["task", "common-view"],
)
def test_the_body_check_catches_a_task_or_a_common_view_that_opens_a_session(source, decorators):
    assert body_openings(source, decorators)


VIEW_MODULES = sorted(
    path
    for path in (ROOT / "services").rglob("*.py")
    if _holds_views(ast.parse(path.read_text(encoding="utf-8")))
)


def test_the_views_of_every_service_are_found():
    services = {path.relative_to(ROOT / "services").parts[0] for path in VIEW_MODULES}
    on_disk = {path.parent.name for path in (ROOT / "services").glob("*/__init__.py")}
    assert services == on_disk
    assert ROOT / "services/evidence/forms/api.py" in VIEW_MODULES


@pytest.mark.parametrize("module", VIEW_MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_view_opens_a_database_session(module):
    assert session_openings(module.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize(
    "view",
    [
        "from common.db import unit_of_work\nwith unit_of_work(rt.session_factory) as s: pass",
        "from common import db\nwith db.unit_of_work(factory) as s: s.add(row)",
        "s = current_app.extensions['rbm'].session_factory()\ns.add(row)",
        "s = _sessions()()\nuse(s)",
        "with _session() as session: packs.get_pack(session, me, pack_id)",
        "with engine.begin() as conn: conn.execute(q)",
        "from sqlalchemy.orm import Session\nSession(engine).get(Pack, 1)",
        "session.commit()",
    ],
)
def test_the_session_check_catches_a_view_that_opens_one(view):
    assert session_openings(view)


def test_the_session_check_lets_a_view_pass_the_factory_to_a_use_case():
    view = (
        "with contextlib.suppress(DomainError):\n"
        "    packs.get_pack(_runtime().session_factory, current_principal(), pack_id)"
    )
    assert session_openings(view) == []


def test_a_runtime_holds_its_dependencies_typed_not_in_a_dict_of_extras():
    assert "extras" not in {f.name for f in fields(Runtime)}


def extras_lookups(source: str) -> list[str]:
    """Where a module reads an `extras` attribute: the dict of dependencies looked up by string
    that a runtime no longer has."""
    return [
        f"line {node.lineno}: .extras"
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Attribute) and node.attr == "extras"
    ]


@pytest.mark.parametrize("folder", ["services", "common", "deploy", "bench", "tests"])
def test_no_code_looks_dependencies_up_by_string(folder):
    found = {
        str(path.relative_to(ROOT)): lookups
        for path in (ROOT / folder).rglob("*.py")
        if (lookups := extras_lookups(path.read_text(encoding="utf-8")))
    }
    assert found == {}


def test_the_extras_check_tells_them_from_settings():
    assert extras_lookups('current_app.extensions["rbm"].extras["store"]')
    assert extras_lookups("runtime.extras.update(celery=celery)")
    assert extras_lookups("settings.db_pool_size") == []


def environment_reads(source: str) -> list[str]:
    """Where a module reads the raw RBM_* environment of the settings by name: only typed
    sections (`typed(Section, settings.environment)`) and secrets may."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            owner = node.func.value
            if isinstance(owner, ast.Attribute) and owner.attr in {"environment", "extra"}:
                found.append(f"line {node.lineno}: .{owner.attr}.{node.func.attr}()")
    return found


TYPED_SECRETS = {"common/secrets.py", "services/evidence/signing.py"}


@pytest.mark.parametrize("folder", ["services", "common", "deploy"])
def test_settings_are_typed_fields_not_text_read_by_name(folder):
    found = {
        name: reads
        for path in (ROOT / folder).rglob("*.py")
        if (name := str(path.relative_to(ROOT))) not in TYPED_SECRETS
        and (reads := environment_reads(path.read_text(encoding="utf-8")))
    }
    assert found == {}


def test_the_settings_check_catches_a_setting_read_as_text():
    assert environment_reads('int(settings.extra.get("RBM_EVIDENCE_PACK_DAYS", 7))')
    assert environment_reads('settings.environment.get("RBM_LOG_LEVEL")')
    assert environment_reads('os.environ.get("RBM_LOG_LEVEL")') == []


def test_the_portal_names_only_the_services_it_holds_a_client_of():
    assert set(get_args(Service)) == {f.name for f in fields(Dependencies)}


# Calls that wire something into a process: signal receivers, event listeners, handlers.
WIRING_CALLS = {"connect", "listen", "listens_for", "signal", "register"}
# prometheus-client metrics, registered in the process's default registry unless `registry=None`.
METRICS = {"Counter", "Histogram", "Gauge", "Summary", "Info", "Enum"}


def import_time_wiring(source: str) -> list[str]:
    """What a module wires into the process when it is imported: a module-level call (or
    decorator) that connects a receiver, listens, registers, or makes a registered metric.
    Apps and workers wire what they need when they start."""
    found = []
    for node in ast.parse(source).body:
        calls: list[ast.expr] = []
        if isinstance(node, ast.Expr | ast.Assign | ast.AnnAssign) and node.value is not None:
            calls.append(node.value)
        if isinstance(node, ast.FunctionDef | ast.ClassDef):
            calls += node.decorator_list
        for call in calls:
            func = call.func if isinstance(call, ast.Call) else call
            name = _called_name(func) if isinstance(call, ast.Call) else getattr(func, "attr", None)
            keywords = call.keywords if isinstance(call, ast.Call) else []
            unregistered = any(
                k.arg == "registry" and isinstance(k.value, ast.Constant) and k.value.value is None
                for k in keywords
            )
            if name in WIRING_CALLS or (name in METRICS and not unregistered):
                found.append(f"line {node.lineno}: {name}")
    return found


@pytest.mark.parametrize("folder", ["services", "common"])
def test_nothing_is_wired_when_a_module_is_imported(folder):
    found = {
        str(path.relative_to(ROOT)): wired
        for path in (ROOT / folder).rglob("*.py")
        if (wired := import_time_wiring(path.read_text(encoding="utf-8")))
    }
    assert found == {}


@pytest.mark.parametrize(
    "source",
    [
        "beat_embedded_init.connect(lambda **_: die_with_parent(), weak=False)",
        'UPLOADS = Counter("rbm_evidence_uploads", "Uploads", ["outcome"])',
        "signal.signal(signal.SIGTERM, stop)",
        '@event.listens_for(Engine, "connect")\ndef on_connect(conn, record): ...',
        "@worker_ready.connect\ndef on_ready(sender, **_): ...",
    ],
)
def test_the_wiring_check_catches_what_a_module_wires_at_import(source):
    assert import_time_wiring(source)


def test_the_wiring_check_lets_a_function_wire_and_a_metric_stay_unregistered():
    source = (
        "def start(app):\n    beat_embedded_init.connect(_die, weak=False)\n"
        'COUNTED = Counter("rbm_x", "X", registry=None)\n'
    )
    assert import_time_wiring(source) == []
