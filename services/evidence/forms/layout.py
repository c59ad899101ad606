"""What the forms and the code reading them back agree on: ids, tables, properties, milestones.

The builder writes these headers into the templates; read-back finds a filled form's tables
by them (LibreOffice drops table captions when it saves a .docx, but keeps the text), and
an admin's replacement template is refused unless its rendered sample still has them.
"""

from __future__ import annotations

from services.evidence import rules

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


# The seed names the three "level of success" KPIs but not their steps. These are the steps of
# OPDC's 5-level milestone scale as the forms print them; level n needs steps 1..n done.
MILESTONES: dict[str, tuple[str, ...]] = {
    "4.1": tuple(
        f"ร้อยละเฉลี่ยถ่วงน้ำหนักของการลดรอบระยะเวลาการปฏิบัติราชการ ไม่น้อยกว่าร้อยละ {step:g}"
        for step in rules.REDUCTION_STEPS
    ),
    "7.1": (
        "วิเคราะห์ความต้องการของผู้รับบริการ และจัดทำแผนปรับปรุงแก้ไขบริการ",
        "แผนปรับปรุงแก้ไขบริการได้รับความเห็นชอบจากผู้บริหาร และแจ้งผู้เกี่ยวข้องทราบ",
        "ดำเนินการตามแผนได้ไม่น้อยกว่าร้อยละ 50 ของกิจกรรมในแผน",
        "ดำเนินการตามแผนได้ครบทุกกิจกรรม",
        "ติดตามประเมินผลการปรับปรุงบริการ และรายงานผลต่อผู้บริหาร",
    ),
    "9.3": (
        "แต่งตั้งคณะทำงานการจัดการความรู้ และกำหนดองค์ความรู้ที่จำเป็นต่อภารกิจ",
        "จัดทำแผนการจัดการความรู้ของหน่วยงาน",
        "ดำเนินการตามแผนการจัดการความรู้ได้ครบถ้วน",
        "แลกเปลี่ยนเรียนรู้ และจัดเก็บองค์ความรู้อย่างเป็นระบบ",
        "นำองค์ความรู้ไปใช้ปรับปรุงการปฏิบัติงาน และประเมินผล",
    ),
}


def milestones(kpi: str) -> list[dict[str, object]]:
    steps = MILESTONES.get(kpi) or tuple(f"ขั้นตอนที่ {n}" for n in range(1, 6))
    return [{"level": n, "criterion": text} for n, text in enumerate(steps, start=1)]


PROVISIONAL = (
    "เกณฑ์ชั่วคราว: กลุ่มพัฒนาระบบบริหารยังไม่ได้ยืนยันเกณฑ์การให้คะแนนของปีนี้ "
    "(ระดับและขั้นตอนข้างล่างเป็นค่าเริ่มต้นของระบบ ไม่ใช่ของเอกสารต้นฉบับ)"
)


def criteria(scoring: dict | None) -> dict[str, object]:
    """Whether the printed milestones are confirmed; unknown counts as provisional."""
    provisional = not (scoring or {}).get("confirmed", False)
    return {"provisional": provisional, "note": PROVISIONAL if provisional else ""}
