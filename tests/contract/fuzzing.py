"""Schemathesis against one service's OpenAPI on a running system, as its own command line."""

from __future__ import annotations

import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

# Who calls what: a user whose role may take the operation (admin where none is named), so
# that the fuzzer reaches the code behind the checks of role and unit.
CALLERS: dict[str, list[tuple[str, str, str]]] = {
    "evidence": [("POST", r"^/files$", "reporter1")],
    "workflow": [
        ("POST", r"^/reports$", "reporter1"),
        ("PATCH", r"^/reports/[^/]+$", "reporter1"),
        ("POST", r"^/reports/[^/]+/transitions$", "head1"),
        ("POST", r"^/reports/transitions$", "reviewer"),
        ("POST", r"^/delegations$", "head1"),
        ("DELETE", r"^/delegations/", "head1"),
    ],
    "notifications": [("GET|POST|PUT", r"^/(inbox|preferences)", "head1")],
}
# Operations that may refuse well-formed data for a reason no schema can state, with the status
# they answer then: 422 for what is stored (rows naming units or KPIs that do not exist, a
# closed year, a year the catalogue lacks, a unit that does not fit in the tree), a rule across
# fields (thresholds in order, a comment some actions demand, a query parameter that needs another,
# which OpenAPI 3.0 cannot state: applicability's unit and kpi) or who asks (a unit's own staff
# must name their unit, only a role one holds is handed on); 415 for a file whose content is of
# a type not accepted, which its `format: binary` cannot say.
REFUSED: dict[str, list[tuple[str, str, tuple[str, ...]]]] = {
    "catalogue": [
        ("POST", r"^/years$", ("422",)),
        ("POST|PATCH", r"^/units(/[^/]+)?$", ("422",)),
        ("POST|PATCH", r"^/years/[^/]+/(csfs|kpis)(/[^/]+)?$", ("422",)),
        ("PUT", r"^/years/[^/]+/(targets|assignments)$", ("422",)),
        ("PUT", r"^/years/[^/]+/kpis/[^/]+/scoring$", ("422",)),
        ("GET", r"^/years/[^/]+/applicability$", ("422",)),
    ],
    "evidence": [
        ("POST", r"^/packs$", ("422",)),
        ("POST", r"^/files$", ("415", "422")),
        ("POST", r"^/templates/[^/]+(/preview)?$", ("415", "422")),
    ],
    "workflow": [
        ("GET", r"^/progress$", ("422",)),
        ("POST", r"^/reports(/preview)?$", ("422",)),
        ("PATCH", r"^/reports/[^/]+$", ("422",)),
        ("POST", r"^/reports/transitions$", ("422",)),
        ("POST", r"^/delegations$", ("422",)),
        ("POST", r"^/imports$", ("415", "422")),
    ],
}
# What schemathesis expects of well-formed data by default.
ACCEPTED = ("2xx", "3xx", "401", "403", "404", "409", "429")
CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
    "positive_data_acceptance",
    "negative_data_rejection",
)
USERS = ("admin", "reporter1", "head1", "reviewer")


@dataclass
class Outcome:
    service: str
    returncode: int
    operations: int
    cases: int
    output: str


def config(tokens: dict[str, str], service: str, max_examples: int, known: dict[str, str]) -> str:
    """A schemathesis.toml: the checks, the budget, each operation's caller, ids that exist."""
    lines = [
        "color = false",
        "workers = 1",  # hypothesis parses lambdas; CPython 3.11 ast.parse races across threads
        f'headers = {{ Authorization = "Bearer {tokens["admin"]}" }}',
        "[generation]",
        f"max-examples = {max_examples}",
        "[checks]",
        "enabled = false",
        *(f"{check}.enabled = true" for check in CHECKS),
        "[phases.stateful.inference]",
        'algorithms = ["location-headers", "dependency-analysis"]',
        "[parameters]",
        *(f'"path.{name}" = "{value}"' for name, value in known.items()),
    ]
    for methods, path, user in CALLERS.get(service, []):
        caller = f'headers = {{ Authorization = "Bearer {tokens[user]}" }}'
        lines += _operations(methods, path, caller)
    for methods, path, statuses in REFUSED.get(service, []):
        lines += _operations(
            methods,
            path,
            "[operations.checks.positive_data_acceptance]",
            f"expected-statuses = {[*ACCEPTED, *statuses]!r}",
        )
    return "\n".join(lines) + "\n"


def _operations(methods: str, path: str, *settings: str) -> list[str]:
    """`settings` for the operations of one of `methods` (`|`-separated) on a path matching
    `path` (anchored with `^`): one regex over the operation's name ("POST /files"), since
    `include-method` and `include-path-regex` beside each other select each on its own."""
    return [
        "[[operations]]",
        f"include-name-regex = '^({methods}) {path.removeprefix('^')}'",
        *settings,
    ]


def run(
    base_url: str,
    service: str,
    tokens: dict[str, str],
    workdir: Path,
    max_examples: int,
    known: dict[str, str] | None = None,
) -> Outcome:
    """Every phase against the service's OpenAPI; the counts schemathesis reports."""
    workdir = workdir.resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    config_file = workdir / "schemathesis.toml"
    config_file.write_text(config(tokens, service, max_examples, known or {}))
    command = [
        str(Path(sys.executable).parent / "st"),
        "--config-file",
        str(config_file),
        "run",
        f"{base_url}/api/{service}/openapi.json",
    ]
    done = subprocess.run(command, cwd=workdir, capture_output=True, text=True, timeout=600)
    output = done.stdout + done.stderr
    tested = re.search(r"Tested: (\d+)", output)
    generated = re.search(r"(\d+) generated", output)
    return Outcome(
        service,
        done.returncode,
        int(tested.group(1)) if tested else 0,
        int(generated.group(1)) if generated else 0,
        output,
    )
