"""The catalogue of fiscal year 2547 and the org skeleton, as data (loaded in every mode).

Source: the PRD training hand-out of July 2547 (`seed/000_d4b6acfcca852c71.txt`). KPI names
are the seed's text verbatim, without its "(ภาคบังคับ)" and "★" markers, which are the
`mandatory` and `headline` flags. `reporting_th` is the seed's "how to report" column. The
seed names no CSFs: they carry their number until an admin names them.
"""

YEAR = 2547
STATUS = "open"

PERSPECTIVES = (
    {"code": "P1", "name_th": "ด้านประสิทธิผลตามพันธกิจ", "name_en": "Effectiveness of the mission"},
    {
        "code": "P2",
        "name_th": "ด้านประสิทธิภาพของการปฏิบัติราชการ",
        "name_en": "Efficiency of operations",
    },
    {"code": "P3", "name_th": "ด้านคุณภาพการให้บริการ", "name_en": "Quality of service"},
    {"code": "P4", "name_th": "ด้านการพัฒนาองค์กร", "name_en": "Organisational development"},
)

# CSF number -> perspective, as the seed groups them under its headings.
CSF_PERSPECTIVES = {
    "1": "P1",
    "2": "P1",
    "3": "P2",
    "4": "P2",
    "5": "P2",
    "6": "P2",
    "7": "P3",
    "8": "P3",
    "9": "P4",
    "10": "P4",
    "11": "P4",
    "12": "P4",
    "13": "P4",
    "14": "P4",
    "15": "P4",
}

CSFS = tuple(
    {
        "code": code,
        "perspective": perspective,
        "name_th": f"ปัจจัยหลักแห่งความสำเร็จที่ {code}",
        "name_en": f"Critical success factor {code}",
    }
    for code, perspective in CSF_PERSPECTIVES.items()
)

# Who reports: the units that report their own results, the department itself, regions only.
REPORTING_UNITS = ("bureau", "region", "province")
DEPARTMENT = ("department",)
REGIONS = ("region",)

STAFF_HEADCOUNT = "จำนวนบุคลากรทั้งหมดของหน่วยงาน (คน)"
LEVEL_SCALE = "Scored on OPDC's 5-level milestone scale (level 1-5), with evidence for each step."


def _field(name: str, label_th: str, label_en: str, type_: str = "string") -> dict:
    return {
        "name": name,
        "type": type_,
        "required": True,
        "label_th": label_th,
        "label_en": label_en,
    }


PERSON = _field("person", "ชื่อ-สกุล", "Person")
DATE = _field("date", "วันที่", "Date", "date")
ACTIVITY = _field("activity", "กิจกรรม", "Activity")

_DEFAULTS = {
    "mandatory": False,
    "headline": False,
    "counting_rule": None,
    "item_fields": [],
    "source_th": None,
    "source_en": None,
    "denominator_label": None,
    "note": None,
    "due_days": None,
}

_KPIS = (
    {
        "code": "1.1",
        "name_th": "ร้อยละความสำเร็จตามเป้าหมายผลผลิตของส่วนราชการ (กปส.)",
        "name_en": "Percentage of the department's output targets achieved",
        "mandatory": True,
        "headline": True,
        "method": "feed",
        "cycle": "monthly",
        "measure": "percent",
        "applies_to": REPORTING_UNITS,
        "source_th": "ระบบงานรายงานความก้าวหน้าประจำเดือน",
        "source_en": "monthly progress system",
        "reporting_th": "รายงานในระบบงานรายงานความก้าวหน้าประจำเดือนทุก 1 เดือน",
        "note": "Headline indicator (★ in the seed).",
    },
    {
        "code": "1.2",
        "name_th": "ร้อยละความสำเร็จของการแก้ไขหรือยกเลิกกฎระเบียบ",
        "name_en": "Percentage success in amending or repealing regulations",
        "mandatory": True,
        "method": "none",
        "cycle": "none",
        "measure": "percent",
        "applies_to": DEPARTMENT,
        "reporting_th": "ไม่ต้องรายงาน",
    },
    {
        "code": "2.1",
        "name_th": "จำนวนการเข้าร่วมเป็นกรรมการอนุกรรมการ และคณะทำงาน ที่ กปส. ได้รับการแต่งตั้ง",
        "name_en": "Number of committees, sub-committees and working groups PRD was appointed to",
        "method": "entry",
        "cycle": "monthly",
        "measure": "count",
        "applies_to": REPORTING_UNITS,
        "counting_rule": "each_appointment_once",
        "item_fields": [
            _field("order_no", "เลขที่คำสั่ง", "Order number"),
            _field("committee", "ชื่อคณะกรรมการ คณะทำงาน", "Committee or working group"),
        ],
        "reporting_th": "รายงานในระบบงาน rbm (พิมพ์เลขที่คำสั่ง/ ชื่อคณะกรรมการ คณะทำงาน ฯ) ทุก 1 เดือน",
    },
    {
        "code": "2.2",
        "name_th": "จำนวนหน่วยงานภายนอกที่มาใช้บริการ กปส.",
        "name_en": "Number of outside agencies that used PRD's services",
        "method": "entry",
        "cycle": "monthly",
        "measure": "count",
        "applies_to": REPORTING_UNITS,
        "counting_rule": "agency_once_per_month",
        "item_fields": [_field("agency", "หน่วยงาน", "Agency"), DATE],
        "reporting_th": (
            "รายงานในระบบงาน rbm (นับจำนวนหน่วยงานที่มาขอรับบริการในรอบ 1เดือน โดยไม่นับซ้ำหน่วยงาน)"
        ),
        "note": "An agency is counted once a month.",
    },
    {
        "code": "3.1",
        "name_th": "ร้อยละของงบประมาณที่สามารถประหยัดได้",
        "name_en": "Percentage of budget saved",
        "mandatory": True,
        "method": "feed",
        "cycle": "monthly",
        "measure": "percent",
        "applies_to": REPORTING_UNITS,
        "source_th": "ระบบงานการใช้จ่ายเงิน",
        "source_en": "expenditure system",
        "reporting_th": (
            "ระบบงานการใช้จ่ายเงินจะเชื่อมข้อมูลมาสู่ระบบrbm เมื่อหน่วยงานกรอกข้อมูลการใช้จ่ายงบประมาณ ทุก 1 เดือน"
        ),
    },
    {
        "code": "4.1",
        "name_th": (
            "ระดับความสำเร็จของร้อยละเฉลี่ยถ่วงน้ำหนักในการลดรอบระยะเวลาของขั้นตอนการปฏิบัติราชการของส่วนราชการ"
        ),
        "name_en": (
            "Level of success of the weighted-average percentage reduction in process cycle times"
        ),
        "mandatory": True,
        "method": "template",
        "cycle": "on-results",
        "measure": "level",
        "applies_to": REPORTING_UNITS,
        "reporting_th": "สปข./ส.ปชส.ถ้ามีผลงานให้ดาวน้โหลดแบบฟอร์มรายงานในระบบงาน rbm",
        "note": (
            "Reported only when there are results. The form is a table of processes with "
            "weight, old and new cycle time; the weighted average reduction gives the level. "
            + LEVEL_SCALE
        ),
    },
    {
        "code": "5.1",
        "name_th": "ร้อยละของการเบิกจ่ายงบประมาณตามแผน",
        "name_en": "Percentage of budget disbursed against plan",
        "method": "feed",
        "cycle": "monthly",
        "measure": "percent",
        "applies_to": REPORTING_UNITS,
        "source_th": "ระบบงานการใช้จ่ายเงิน",
        "source_en": "expenditure system",
        "reporting_th": "รายงานการเบิกจ่ายเงินในระบบงานการใช้จ่ายเงิน ทุก 1 เดือน",
    },
    {
        "code": "6.1",
        "name_th": "ร้อยละของประเด็นข้อทักท้วงจากหน่วยตรวจสอบภายนอกที่ได้รับการแก้ไข",
        "name_en": "Percentage of outside auditors' objections resolved",
        "method": "none",
        "cycle": "none",
        "measure": "percent",
        "applies_to": DEPARTMENT,
        "reporting_th": "สปข./ส.ปชส.ไม่ต้องรายงาน",
    },
    {
        "code": "7.1",
        "name_th": "ระดับความสำเร็จของการดำเนินการตามแผนปรับปรุงแก้ไขบริการ",
        "name_en": "Level of success in carrying out the service-improvement plan",
        "mandatory": True,
        "method": "template",
        "cycle": "yearly",
        "measure": "level",
        "applies_to": REPORTING_UNITS,
        "reporting_th": "รายงานโดยดาวน์โหลดแบบฟอร์มในระบบ rbm",
        "note": (
            'The seed gives no cycle for 7.1 and, unlike 4.1 and 9.3, no "if there are '
            'results": a mandatory KPI, read as due once a year (Y). ' + LEVEL_SCALE
        ),
    },
    {
        "code": "8.1",
        "name_th": "ร้อยละของระดับความพึงพอใจของผู้รับบริการ",
        "name_en": "Percentage satisfaction of service recipients",
        "mandatory": True,
        "method": "survey",
        "cycle": "yearly",
        "measure": "percent",
        "applies_to": DEPARTMENT,
        "source_th": "สำนักงาน ก.พ.ร.",
        "source_en": "OPDC's satisfaction survey",
        "reporting_th": "สำนักงาน ก.พ.ร. สำรวจข้อมูลให้ กปส.",
    },
    {
        "code": "9.1",
        "name_th": "ร้อยละของการลดจำนวนบุคลากรบรรจุ จริง",
        "name_en": "Percentage reduction in actual headcount",
        "mandatory": True,
        "method": "none",
        "cycle": "none",
        "measure": "percent",
        "applies_to": DEPARTMENT,
        "reporting_th": "สปข/ส.ปชส.ไม่ต้องรายงาน",
    },
    {
        "code": "9.2",
        "name_th": "ร้อยละของการลดค่าใช้จ่ายบุคลากร",
        "name_en": "Percentage reduction in personnel costs",
        "mandatory": True,
        "method": "none",
        "cycle": "none",
        "measure": "percent",
        "applies_to": DEPARTMENT,
        "reporting_th": "สปข/ส.ปชส.ไม่ต้องรายงาน",
    },
    {
        "code": "9.3",
        "name_th": "ระดับความสำเร็จของการพัฒนาระบบ การบริหารความรู้ในองค์กร",
        "name_en": "Level of success in developing knowledge management",
        "mandatory": True,
        "method": "template",
        "cycle": "on-results",
        "measure": "level",
        "applies_to": REPORTING_UNITS,
        "reporting_th": "ถ้ามีผลงานให้เข้าไปรายงานโดยดาว์ โหลดแบบฟอร์มในระบบ rbm",
        "note": "Reported only when there are results. " + LEVEL_SCALE,
    },
    {
        "code": "10.1",
        "name_th": "ร้อยละของบุคลากรที่ได้รับการพัฒนาความรู้ ความสามารถ ทักษะในการปฏิบัติงาน",
        "name_en": "Percentage of staff whose knowledge, abilities and skills were developed",
        "method": "entry",
        "cycle": "quarterly",
        "measure": "percent",
        "applies_to": REPORTING_UNITS,
        "counting_rule": "person_course_once_per_year",
        "item_fields": [PERSON, _field("course", "หลักสูตร", "Course"), DATE],
        "denominator_label": STAFF_HEADCOUNT,
        "reporting_th": "รายงานในระบบ rbm (1คน/1หลักสูตร/1ปี) ทุก 3 เดือน",
        "note": "1 person / 1 course / 1 year, across the unit's reports of the year.",
    },
    {
        "code": "10.2",
        "name_th": "ร้อยละของงบประมาณที่ใช้สำหรับการพัฒนาบุคลากร",
        "name_en": "Percentage of budget spent on staff development",
        "method": "entry",
        "cycle": "half-yearly",
        "measure": "percent",
        "applies_to": REPORTING_UNITS,
        "denominator_label": "งบประมาณทั้งหมดของหน่วยงาน (บาท)",
        "reporting_th": "รายงานในระบบ rbm ทุก 6 เดือน",
    },
    {
        "code": "10.3",
        "name_th": "จำนวนบุคลากรที่ถูกลงโทษทางวินัย",
        "name_en": "Number of staff disciplined",
        "method": "none",
        "cycle": "none",
        "measure": "count",
        "applies_to": DEPARTMENT,
        "reporting_th": "ไม่ต้องรายงาน",
    },
    {
        "code": "10.4",
        "name_th": "ร้อยละของบุคลากรที่มีความพึงพอใจในการบริหารจัดการที่ดีขององค์กร",
        "name_en": "Percentage of staff satisfied with the organisation's good governance",
        "method": "none",
        "cycle": "none",
        "measure": "percent",
        "applies_to": DEPARTMENT,
        "reporting_th": "ไม่ต้องรายงาน",
    },
    {
        "code": "10.5",
        "name_th": "จำนวนผลงานที่ได้รับรางวัล",
        "name_en": "Number of works that won awards",
        "method": "entry",
        "cycle": "yearly",
        "measure": "count",
        "applies_to": REPORTING_UNITS,
        "counting_rule": "external_awards_only",
        "item_fields": [
            _field("work", "ผลงาน", "Work"),
            _field("award", "รางวัล", "Award"),
            _field("awarded_by", "หน่วยงานที่มอบรางวัล", "Awarded by"),
            _field("external", "เป็นหน่วยงานภายนอก", "From an outside body", "boolean"),
        ],
        "reporting_th": "รายงานในระบบ RBM (เฉพาะผลงานที่ได้รับรางวัลจากหน่วยงานภายนอก) ทุก 1 ปี",
        "note": "Only awards from outside bodies count.",
    },
    {
        "code": "11.1",
        "name_th": "จำนวนเจ้าหน้าที่ที่ได้รับการตัดสินใจเป็น ที่สิ้นสุดแล้วว่าทุจริตหรือประพฤติมิชอบ",
        "name_en": "Number of officials finally judged corrupt or guilty of misconduct",
        "method": "none",
        "cycle": "none",
        "measure": "count",
        "applies_to": DEPARTMENT,
        "reporting_th": "ไม่ต้องรายงาน",
        "note": "The seed writes the KPI as '11.' and its report line as '11.1'.",
    },
    {
        "code": "12.1",
        "name_th": "จำนวนเรื่องที่มีการมอบอำนาจ",
        "name_en": "Number of matters with delegated authority",
        "method": "none",
        "cycle": "none",
        "measure": "count",
        "applies_to": DEPARTMENT,
        "reporting_th": "ไม่ต้องรายงาน",
    },
    {
        "code": "13.1",
        "name_th": "ร้อยละของระบบงานที่ต้องดำเนินการตามแผน(ระบบควบคุมภายใน)",
        "name_en": "Percentage of work systems done to plan (internal control)",
        "method": "entry",
        "cycle": "yearly",
        "measure": "percent",
        "applies_to": REPORTING_UNITS,
        "denominator_label": "จำนวนระบบงานที่ต้องดำเนินการตามแผน",
        "reporting_th": "รายงานในระบบ rbm ทุก 1 ปี",
    },
    {
        "code": "14.1",
        "name_th": "ร้อยละของความสำเร็จของการดำเนินแผนงาน/โครงการด้านนวัตกรรม",
        "name_en": "Percentage success of innovation plans and projects",
        "method": "none",
        "cycle": "none",
        "measure": "percent",
        "applies_to": DEPARTMENT,
        "reporting_th": "ไม่ต้องรายงาน",
    },
    {
        "code": "15.1",
        "name_th": "จำนวนกิจกรรมรณรงค์เพื่อปรับเปลี่ยนกระบวนทัศน์ วัฒนธรรม และค่านิยมในการทำงาน",
        "name_en": "Number of campaign activities to change mindset, culture and work values",
        "method": "entry",
        "cycle": "half-yearly",
        "measure": "count",
        "applies_to": REGIONS,
        "counting_rule": "each_activity_once",
        "item_fields": [ACTIVITY, DATE],
        "reporting_th": (
            "สปข. 1 – 8 รายงานในระบบrbm (เฉพาะจำนวนบุคลากรที่เข้าร่วมกิจกรรม 1 คนต่อ 1 กิจกรรม "
            "ไม่นับซ้ำ) ทุก 6 เดือน"
        ),
        "note": "Only regional offices 1-8 report.",
    },
    {
        "code": "15.2",
        "name_th": ("ร้อยละของบุคลากรที่เข้าร่วมกิจกรรมเพื่อปรับเปลี่ยนกระบวนทัศน์ วัฒนธรรม และค่านิยมในการทำงาน"),
        "name_en": (
            "Percentage of staff who took part in activities to change mindset, culture "
            "and work values"
        ),
        "method": "entry",
        "cycle": "half-yearly",
        "measure": "percent",
        "applies_to": REGIONS,
        "counting_rule": "person_once_per_activity",
        "item_fields": [PERSON, ACTIVITY],
        "denominator_label": STAFF_HEADCOUNT,
        "reporting_th": (
            "สปข. 1 – 8 รายงานในระบบrbm (เฉพาะจำนวนบุคลากรที่เข้าร่วมกิจกรรม 1 คนต่อ 1 กิจกรรม "
            "ไม่นับซ้ำ) ทุก 6 เดือน"
        ),
        "note": "Only regional offices 1-8 report; a person is counted once per activity.",
    },
)

KPIS = tuple({**_DEFAULTS, **kpi, "applies_to": list(kpi["applies_to"])} for kpi in _KPIS)

# The org skeleton every installation starts from; real org charts are added by an admin.
ORG_UNITS = (
    {
        "code": "PRD",
        "name_th": "กรมประชาสัมพันธ์",
        "name_en": "Government Public Relations Department",
        "kind": "department",
        "parent": None,
    },
    {
        "code": "MSD",
        "name_th": "กลุ่มพัฒนาระบบบริหาร",
        "name_en": "Management System Development Group",
        "kind": "group",
        "parent": "PRD",
    },
    {
        "code": "ITC",
        "name_th": "ศูนย์เทคโนโลยีสารสนเทศการประชาสัมพันธ์",
        "name_en": "Public Relations Information Technology Centre",
        "kind": "group",
        "parent": "PRD",
    },
    *(
        {
            "code": f"R{n}",
            "name_th": f"สำนักประชาสัมพันธ์เขต {n}",
            "name_en": f"Regional Public Relations Office {n}",
            "kind": "region",
            "parent": "PRD",
        }
        for n in range(1, 9)
    ),
)
