"""`python -m deploy.healthcheck [readyz|healthz]`: a container health probe without curl.

Asks the service in this container on its own port and prefix; exits 0 only on a 200.
"""

from __future__ import annotations

import os
import sys
import urllib.request


def main(argv: list[str]) -> int:
    check = argv[0] if argv else "readyz"
    port = os.environ.get("PORT", "8000")
    url = f"http://127.0.0.1:{port}{os.environ.get('SCRIPT_NAME', '')}/{check}"
    try:
        with urllib.request.urlopen(url, timeout=5) as resp:  # noqa: S310 - a fixed local URL
            return 0 if resp.status == 200 else 1
    except OSError as exc:
        print(f"{url}: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
