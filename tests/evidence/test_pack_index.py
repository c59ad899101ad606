"""The pack's readable Thai index: each report, its files and their SHA-256, as CSV and HTML."""

from __future__ import annotations

import csv
import io

from services.evidence.pack_index import COLUMNS, index_csv, index_html, rows

REPORTS = [
    {"id": "r2", "unit": "R2", "kpi": "4.1", "period": "Q1", "state": "draft", "value": None},
    {"id": "r1", "unit": "R1", "kpi": "4.1", "period": "Q1", "state": "approved", "value": 3},
]
FILES = [
    {"path": "files/R1/4.1/Q1/v1-ก.pdf", "size": 10, "sha256": "a" * 64, "report_id": "r1"},
    {
        "path": "files/R1/3.1/M01/extract-v1-x.csv",
        "size": 5,
        "sha256": "b" * 64,
        "report_id": "r1",
        "extract_of": {"filename": "x.csv", "sha256": "c" * 64},
    },
]
ABOUT = {"pack_id": "p1", "created_at": "2026-12-07", "requested_by": "auditor", "scope": {}}


def test_the_csv_lists_each_file_under_its_report_and_a_report_without_files_once():
    text = index_csv(rows(REPORTS, FILES)).decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(text)))
    assert table[0] == list(COLUMNS)
    assert [row[:3] + row[4:9] for row in table[1:]] == [
        ["r1", "R1", "4.1", "อนุมัติแล้ว", "3", "files/R1/4.1/Q1/v1-ก.pdf", "10", "a" * 64],
        ["r1", "R1", "4.1", "อนุมัติแล้ว", "3", "files/R1/3.1/M01/extract-v1-x.csv", "5", "b" * 64],
        ["r2", "R2", "4.1", "ร่าง", "", "", "", ""],
    ]
    assert table[2][9] == f"ตัดเฉพาะแถวของรายงานนี้จากไฟล์นำเข้า x.csv (SHA-256 ของไฟล์ทั้งไฟล์ {'c' * 64})"
    assert table[3][9] == "ไม่มีไฟล์หลักฐาน"


def test_the_html_links_each_file_in_the_folder_and_escapes_every_name():
    hostile = {**FILES[0], "path": 'files/R1/4.1/Q1/v1-"><script>x</script>.pdf'}
    page = index_html(rows(REPORTS, [hostile]), ABOUT).decode()
    assert '<html lang="th">' in page and "ดัชนีชุดหลักฐาน" in page
    assert "<script>" not in page
    assert 'href="files/R1/4.1/Q1/v1-&quot;&gt;&lt;script&gt;x&lt;/script&gt;.pdf"' in page
