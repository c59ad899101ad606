"""What the forms and the code reading them back agree on: ids, tables, properties, milestones.

The builder writes these headers into the templates; read-back finds a filled form's tables
by them (LibreOffice drops table captions when it saves a .docx, but keeps the text), and
an admin's replacement template is refused unless its rendered sample still has them.
"""

from __future__ import annotations

FORM_KPIS = ("4.1", "7.1", "9.3")
DEPARTMENT = "กรมประชาสัมพันธ์"
FONT = "TH Sarabun New"
PROPERTY_PREFIX = "rbm."
IDENTITY = ("unit", "year", "kpi", "period")

MILESTONE_HEADER = ("ระดับ", "เกณฑ์การให้คะแนน", "ผลการดำเนินงาน", "หลักฐาน")
PROCESS_HEADER = ("ลำดับ", "กระบวนงาน", "น้ำหนัก", "ระยะเวลาเดิม", "ระยะเวลาใหม่")
PROCESS_ROWS = 5
# The answers the form offers to "reached?" for each level: the reader takes only "reached".
CHOOSE = "เลือก"
REACHED, NOT_REACHED = "บรรลุ", "ไม่บรรลุ"
REACHED_CHOICES = (REACHED, NOT_REACHED)


def template_id(kpi: str) -> str:
    return f"rbm-form-{kpi}"


def needs_process_table(kpi: str) -> bool:
    return kpi == "4.1"


# The management group's criteria (the catalogue's scoring data) say what levels 1..5 need: 4.1
# by its level steps, a weighted reduction the form's table of processes gives; 7.1 and 9.3 by
# milestones. A KPI without either (an admin's template for another KPI) shows numbered steps.
STEP_CRITERION = "ร้อยละเฉลี่ยถ่วงน้ำหนักของการลดรอบระยะเวลาการปฏิบัติราชการ ไม่น้อยกว่าร้อยละ {step:g}"


def milestones(scoring: dict | None) -> list[dict[str, object]]:
    """Levels 1..5 with what each needs, from the KPI's scoring data."""
    scoring = scoring or {}
    if steps := scoring.get("level_steps"):
        texts = [STEP_CRITERION.format(step=step) for step in steps]
    else:
        texts = scoring.get("milestones") or [f"ขั้นตอนที่ {n}" for n in range(1, 6)]
    return [{"level": n, "criterion": text} for n, text in enumerate(texts, start=1)]


PROVISIONAL = (
    "เกณฑ์ชั่วคราว: กลุ่มพัฒนาระบบบริหารยังไม่ได้ยืนยันเกณฑ์การให้คะแนนของปีนี้ (ระดับและขั้นตอนข้างล่างอาจเปลี่ยนแปลงได้)"
)


def criteria(scoring: dict | None) -> dict[str, object]:
    """Whether the printed criteria are confirmed; unknown counts as provisional."""
    provisional = not (scoring or {}).get("confirmed", False)
    return {"provisional": provisional, "note": PROVISIONAL if provisional else ""}
