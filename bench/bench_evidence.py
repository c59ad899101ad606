"""Evidence: upload throughput against raw S3, server memory on 200 MB uploads, form render time.

Starts a SeaweedFS of its own and identity, catalogue and evidence (embedded backends: SQLite,
filesystem broker) on a loopback port, with the upload limit set to 256 MB. Uploads go
through `curl` in its own process, so the server process measured holds only the server.

Measured (targets from issue 4):
- a 50 MB upload through `POST /api/evidence/files` against a raw minio `put_object` of the
  same bytes into the same bucket: throughput ratio >= 0.8 (medians of 5 runs each);
- resident memory growth of the server process while a 200 MB file is accepted, and while a
  200 MB PDF with JavaScript at its very end is received in full and refused: < 30 MB;
- a prefilled 4.1 form rendered by the service's render against a raw docxtpl render of the
  same template and context: time ratio <= 2 (medians of 30); the whole download through
  HTTP (catalogue and identity calls included) is reported too.
"""

from __future__ import annotations

import io
import logging
import os
import statistics
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import requests
from docxtpl import DocxTemplate
from werkzeug.exceptions import NotFound
from werkzeug.middleware.dispatcher import DispatcherMiddleware
from werkzeug.serving import make_server

from deploy.migrate import migrate_all, with_database
from deploy.seaweedfs import SeaweedFS, free_port
from services.evidence.forms import build_templates, render
from services.evidence.forms import service as forms_service
from services.system import create_service

MB = 1024 * 1024
LIMIT = 256 * MB
RUNS = 7
RENDERS = 30
SERVICES = ("identity", "catalogue", "evidence")


def _not_found(environ, start_response):
    return NotFound()(environ, start_response)


class Server:
    """identity, catalogue and evidence under one origin, served from this process."""

    def __init__(self, root: Path, seaweed: SeaweedFS):
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("RBM_")},
            **seaweed.env(),
            "RBM_DATA_DIR": str(root / "data"),
            "RBM_PORT": str(port),
            "RBM_GATEWAY_URL": self.url,
            "RBM_DEMO": "1",
            "RBM_LOG_LEVEL": "WARNING",
            "RBM_S3_BUCKET": "rbm-bench-evidence",
            "RBM_MAX_UPLOAD_BYTES": str(LIMIT),
        }
        migrate_all(with_database(), env)
        self.apps = {name: create_service(name, env) for name in SERVICES}
        mounts = {f"/api/{name}": app for name, app in self.apps.items()}
        self.server = make_server(
            "127.0.0.1", port, DispatcherMiddleware(_not_found, mounts), threaded=True
        )
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        resp = requests.post(
            f"{self.url}/api/identity/token",
            json={"username": "reporter1", "password": "demo-password"},
            timeout=30,
        )
        resp.raise_for_status()
        self.token = resp.json()["access_token"]
        self.store = self.apps["evidence"].extensions["rbm"].deps.store

    def upload(self, path: Path, period: str = "Q1") -> tuple[int, float]:
        """POST a file with curl; return the status and the seconds it took."""
        started = time.perf_counter()
        out = subprocess.run(
            [
                "curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", "-H", "Expect:",
                "-H", f"Authorization: Bearer {self.token}",
                "-F", "unit=R1", "-F", "year=2547", "-F", "kpi=2.1", "-F", f"period={period}",
                "-F", f"file=@{path};filename=หลักฐาน.pdf",
                f"{self.url}/api/evidence/files",
            ],
            check=True, capture_output=True, text=True,
        )  # fmt: skip
        return int(out.stdout), time.perf_counter() - started

    def stop(self) -> None:
        self.server.shutdown()


def pdf_of(path: Path, size: int, tail: bytes = b"") -> Path:
    """A readable PDF of about `size` bytes, like a scanned report: one page showing one big image
    of noise (an image codec's data, which the checks do not decode). `tail`, a dictionary, is
    written as one more object of the file."""
    page = (
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842]"
        b" /Resources << /XObject << /Im0 4 0 R >> >> >>"
    )
    image = (
        b"<< /Type /XObject /Subtype /Image /Width 2480 /Height 3508 /ColorSpace /DeviceRGB"
        b" /BitsPerComponent 8 /Filter /DCTDecode /Length %d >>\nstream\n"
    )
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>"]
    objects += [page, image, *([tail] if tail else [])]
    data_size = max(size - 580 - len(tail), 1)
    offsets = []
    with open(path, "wb") as out:
        out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
        for number, body in enumerate(objects, start=1):
            offsets.append(out.tell())
            out.write(b"%d 0 obj\n" % number)
            if body is image:
                out.write(image % data_size)
                left = data_size
                while left > 0:
                    chunk = os.urandom(min(MB, left))
                    out.write(chunk)
                    left -= len(chunk)
                out.write(b"\nendstream\nendobj\n")
            else:
                out.write(body + b"\nendobj\n")
        xref = out.tell()
        out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
        out.writelines(b"%010d 00000 n \n" % offset for offset in offsets)
        out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\n" % (len(objects) + 1))
        out.write(b"startxref\n%d\n%%%%EOF\n" % xref)
    return path


def rss() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def peak_rss_growth(action) -> tuple[int, object]:
    """Highest resident memory above the level before `action`, sampled every 5 ms."""
    baseline = rss()
    peak = baseline
    done = threading.Event()

    def sample():
        nonlocal peak
        while not done.is_set():
            peak = max(peak, rss())
            time.sleep(0.005)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        result = action()
    finally:
        done.set()
        sampler.join()
    return max(peak, rss()) - baseline, result


def bench_upload(server: Server, root: Path) -> float:
    data_path = pdf_of(root / "fifty.pdf", 50 * MB)
    data = data_path.read_bytes()
    client, bucket = server.store.client, server.store.bucket
    raw, api = [], []
    server.upload(data_path)  # warm up: connections, thread pools, the first part sizes
    for n in range(RUNS):
        started = time.perf_counter()
        client.put_object(bucket, f"bench/raw-{n}", io.BytesIO(data), len(data))
        raw.append(time.perf_counter() - started)
        status, seconds = server.upload(data_path)
        assert status == 201, status
        api.append(seconds)
    raw_mb_s = 50 / statistics.median(raw)
    api_mb_s = 50 / statistics.median(api)
    ratio = api_mb_s / raw_mb_s
    print(f"upload 50 MB: raw put_object {raw_mb_s:.0f} MB/s (median of {RUNS}), "
          f"API {api_mb_s:.0f} MB/s -> ratio {ratio:.2f} (target >= 0.80)")  # fmt: skip
    print(f"  raw runs (s): {', '.join(f'{t:.2f}' for t in raw)}")
    print(f"  API runs (s): {', '.join(f'{t:.2f}' for t in api)}")
    return ratio


def bench_memory(server: Server, root: Path) -> int:
    clean = pdf_of(root / "big.pdf", 200 * MB)
    hostile = pdf_of(root / "big-js.pdf", 200 * MB, tail=b"<< /S /JavaScript /JS (x) >>")
    # First upload of the process: a small one, so that imports and pools are not counted.
    assert server.upload(pdf_of(root / "small.pdf", MB))[0] == 201
    worst = 0
    for label, path, expected in (("refused", hostile, 422), ("accepted", clean, 201)):
        growth, (status, seconds) = peak_rss_growth(lambda p=path: server.upload(p, "Q2"))
        assert status == expected, (label, status)
        print(f"200 MB {label} ({status}) in {seconds:.1f} s: "
              f"server RSS grew {growth / MB:.1f} MB (target < 30 MB)")  # fmt: skip
        worst = max(worst, growth)
    return worst


def bench_render(server: Server) -> float:
    source = (build_templates.TEMPLATES / "4.1.docx").read_bytes()
    context = forms_service.sample_context("4.1", 1)
    identity = {"template": "rbm-form-4.1", "template_version": "1", "unit": "R1"}

    def raw_render():
        template = DocxTemplate(io.BytesIO(source))
        template.render(context)
        template.save(io.BytesIO())

    raw, ours = [], []
    for _ in range(3):
        raw_render(), render.render(source, context, identity)  # warm up
    for _ in range(RENDERS):
        started = time.perf_counter()
        raw_render()
        raw.append(time.perf_counter() - started)
        started = time.perf_counter()
        render.render(source, context, identity)
        ours.append(time.perf_counter() - started)
    ratio = statistics.median(ours) / statistics.median(raw)
    print(f"form render: raw docxtpl {statistics.median(raw) * 1000:.1f} ms, "
          f"service render {statistics.median(ours) * 1000:.1f} ms -> ratio {ratio:.2f} "
          "(target <= 2)")  # fmt: skip
    http = requests.Session()
    http.headers["Authorization"] = f"Bearer {server.token}"
    url = f"{server.url}/api/evidence/templates/2547/4.1"
    timings = []
    for _ in range(RENDERS):
        started = time.perf_counter()
        resp = http.get(url, params={"unit": "R1", "period": "Q1"}, timeout=30)
        timings.append(time.perf_counter() - started)
        assert resp.status_code == 200, resp.text
    print(f"  whole download over HTTP (catalogue and identity asked): "
          f"p50 {statistics.median(timings) * 1000:.0f} ms")  # fmt: skip
    return ratio


def main() -> bool:
    """Run the evidence benchmarks; return True when a target is missed."""
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    with tempfile.TemporaryDirectory(prefix="rbm-bench-evidence-") as tmp:
        root = Path(tmp)
        seaweed = SeaweedFS(root / "seaweedfs").start()
        try:
            server = Server(root, seaweed)
            try:
                growth = bench_memory(server, root)
                upload_ratio = bench_upload(server, root)
                render_ratio = bench_render(server)
            finally:
                server.stop()
        finally:
            seaweed.stop()
    missed = upload_ratio < 0.8 or growth >= 30 * MB or render_ratio > 2
    print("evidence targets:", "missed" if missed else "met")
    return missed


if __name__ == "__main__":
    raise SystemExit(1 if main() else 0)
