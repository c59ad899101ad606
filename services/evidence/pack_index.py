"""The pack's readable index in Thai: `index.html` (opened from the unzipped folder, each file
a link) and `index.csv` (for a spreadsheet), each report with its files and their SHA-256;
beside them `verify.html`, which checks the pack in a browser (`pack_verify.html`).

The index is a document handed to an auditor, written in the department's language whatever
the taker's UI language. It is made before the manifest, which lists it with its own hashes:
a changed index is refused by the verifier like any changed file.
"""

from __future__ import annotations

import csv
import hashlib
import io
import zipfile
from html import escape
from pathlib import Path
from typing import Any

INDEX_HTML, INDEX_CSV, VERIFY_HTML = "index.html", "index.csv", "verify.html"
VERIFY_PAGE = Path(__file__).with_name("pack_verify.html")
COLUMNS = (
    "รหัสรายงาน",
    "หน่วยงาน",
    "ตัวชี้วัดที่",
    "งวด",
    "สถานะ",
    "ผลการดำเนินงาน",
    "ไฟล์ในชุด",
    "ขนาด (ไบต์)",
    "SHA-256",
    "หมายเหตุ",
)
STATES = {
    "draft": "ร่าง",
    "submitted": "ส่งแล้ว",
    "endorsed": "หัวหน้ารับรองแล้ว",
    "approved": "อนุมัติแล้ว",
    "returned": "ส่งกลับแก้ไข",
}
EXTRACT_NOTE = "ตัดเฉพาะแถวของรายงานนี้จากไฟล์นำเข้า {filename} (SHA-256 ของไฟล์ทั้งไฟล์ {sha256})"
NO_FILE = "ไม่มีไฟล์หลักฐาน"
VERIFY_HINT = (
    f"ตรวจความครบถ้วนของชุดหลักฐานได้โดยไม่ต้องใช้ระบบ: เปิด {VERIFY_HTML} ในโฟลเดอร์นี้ด้วยเบราว์เซอร์ "
    "หรือใช้คำสั่ง python -m services.evidence.verify_pack ชุดหลักฐาน.zip --jwks jwks.json"
)


def _note(entry: dict[str, Any]) -> str:
    source = entry.get("extract_of")
    return EXTRACT_NOTE.format(**source) if source else ""


def rows(reports: list[dict], files: list[dict]) -> list[tuple[Any, ...]]:
    """One row per file of each report (a report without files gets one row of its own)."""
    by_report: dict[str, list[dict]] = {}
    for entry in files:
        by_report.setdefault(entry["report_id"], []).append(entry)
    table: list[tuple[Any, ...]] = []
    for report in sorted(reports, key=lambda r: (r["unit"], r["kpi"], r["period"])):
        head = (
            report["id"],
            report["unit"],
            report["kpi"],
            report["period"],
            STATES.get(report.get("state") or "", report.get("state")),
            "" if report.get("value") is None else report["value"],
        )
        listed = by_report.get(report["id"], [])
        table += [(*head, e["path"], e["size"], e["sha256"], _note(e)) for e in listed]
        if not listed:
            table.append((*head, "", "", "", NO_FILE))
    return table


def index_csv(table: list[tuple[Any, ...]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerows(table)
    return out.getvalue().encode("utf-8-sig")  # with a BOM: spreadsheets then read Thai


def _cell(column: int, value: Any) -> str:
    text = escape(str(value))
    if column == COLUMNS.index("ไฟล์ในชุด") and value:
        return f'<td><a href="{escape(str(value), quote=True)}">{text}</a></td>'
    return f"<td>{text}</td>"


def index_html(table: list[tuple[Any, ...]], about: dict[str, Any]) -> bytes:
    head = "".join(f"<th>{escape(c)}</th>" for c in COLUMNS)
    body = "\n".join(
        "<tr>" + "".join(_cell(i, v) for i, v in enumerate(row)) + "</tr>" for row in table
    )
    facts = "".join(
        f"<dt>{escape(k)}</dt><dd>{escape(str(v))}</dd>"
        for k, v in (
            ("รหัสชุดหลักฐาน", about["pack_id"]),
            ("จัดทำเมื่อ (UTC)", about["created_at"]),
            ("ผู้ขอ", about["requested_by"]),
            ("ขอบเขต", ", ".join(f"{k}={v}" for k, v in about["scope"].items())),
        )
    )
    page = f"""<!doctype html>
<html lang="th"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>ดัชนีชุดหลักฐาน {escape(about["pack_id"])}</title>
<style>body{{font-family:"TH Sarabun New",Sarabun,sans-serif}}
td,th{{border:1px solid #999;padding:2px 6px;vertical-align:top}}
table{{border-collapse:collapse}}td{{word-break:break-all}}</style>
</head><body>
<h1>ดัชนีชุดหลักฐาน</h1>
<dl>{facts}</dl>
<p>{escape(VERIFY_HINT)}</p>
<table><thead><tr>{head}</tr></thead><tbody>
{body}
</tbody></table>
</body></html>
"""
    return page.encode()


def write_index(
    zf: zipfile.ZipFile, reports: list[dict], files: list[dict], about: dict[str, Any]
) -> list[dict[str, Any]]:
    """Write the index files and the verifier page into the pack; their entries for the
    manifest's `index`."""
    table = rows(reports, files)
    written = []
    for path, data in (
        (INDEX_HTML, index_html(table, about)),
        (INDEX_CSV, index_csv(table)),
        (VERIFY_HTML, VERIFY_PAGE.read_bytes()),
    ):
        zf.writestr(path, data)
        digest = hashlib.sha256(data).hexdigest()
        written.append({"path": path, "size": len(data), "sha256": digest})
    return written
