"""`python -m bench [name ...]`: run the `main()` of every `bench/bench_*.py` (or those named).

`python -m bench workflow` runs `bench/bench_workflow.py` only. Exits 1 if any bench fails its
targets (its `main()` returns a true value).
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    names = sorted(p.stem for p in Path(__file__).parent.glob("bench_*.py"))
    wanted = [n for n in names if not argv or n in argv or n.removeprefix("bench_") in argv]
    failed = []
    for name in wanted:
        print(f"== {name}", flush=True)
        if importlib.import_module(f"bench.{name}").main():
            failed.append(name)
    if failed:
        print(f"missed their targets: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
