"""The shape of the code: services import only common/, never each other; common/ no service."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

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
