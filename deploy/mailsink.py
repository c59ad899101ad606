"""A local SMTP server for embedded mode: every message is written to a folder as an .eml file."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from aiosmtpd.controller import Controller

from deploy.ports import free_port, in_use


class _SaveToFolder:
    def __init__(self, folder: Path):
        self.folder = folder

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        name = f"{time.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:8]}.eml"
        self.folder.joinpath(name).write_bytes(envelope.original_content or envelope.content)
        return "250 Message accepted"


@dataclass
class MailSink:
    folder: Path
    port: int = 0
    controller: Controller | None = None

    def start(self, tries: int = 3) -> MailSink:
        """Listen on `port`, or on a free one (another, if it was taken in the meantime)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        handler = _SaveToFolder(self.folder)
        for attempt in range(1, tries + 1):
            port = self.port or free_port()
            self.controller = Controller(handler, hostname="127.0.0.1", port=port)
            try:
                self.controller.start()
            except OSError as exc:
                if self.port or not in_use(exc) or attempt == tries:
                    raise
                continue
            self.port = port
            return self
        raise AssertionError("unreachable")

    def env(self) -> dict[str, str]:
        return {"RBM_SMTP_HOST": "127.0.0.1", "RBM_SMTP_PORT": str(self.port)}

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
