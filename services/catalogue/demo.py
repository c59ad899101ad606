"""Sample data, loaded only with RBM_DEMO=1: made-up units, owners and targets to try rbm with.

Every name here is invented and says so ("(ตัวอย่าง)"); none is a real office.
"""

SAMPLE_UNITS = (
    *(
        {
            "code": f"R{region}-{n:02d}",
            "name_th": f"สำนักงานประชาสัมพันธ์จังหวัดตัวอย่าง {n} สปข. {region} (ตัวอย่าง)",
            "name_en": f"Sample provincial office {n} of region {region} (sample)",
            "kind": "province",
            "parent": f"R{region}",
        }
        for region, count in ((1, 2), (2, 1))
        for n in range(1, count + 1)
    ),
    *(
        {
            "code": f"B{n:02d}",
            "name_th": f"สำนักตัวอย่าง {n} (ตัวอย่าง)",
            "name_en": f"Sample bureau {n} (sample)",
            "kind": "bureau",
            "parent": "PRD",
        }
        for n in (1, 2)
    ),
)

# The demo users of identity own their regions' KPIs: the head is responsible, the reporter
# collects the data.
_REPORTED_BY_REGIONS = ("2.1", "2.2", "4.1", "7.1", "9.3", "10.1", "10.2", "10.5", "13.1")
_REGION_ONLY = ("15.1", "15.2")
_OWNERS = {"R1": ("head1", "reporter1"), "R2": ("reporter2", "reporter2")}

ASSIGNMENTS = tuple(
    {"year": 2547, "unit": unit, "kpi": kpi, "responsible": head, "data_collector": collector}
    for unit, (head, collector) in _OWNERS.items()
    for kpi in (*_REPORTED_BY_REGIONS, *_REGION_ONLY)
)

# Sample targets: (KPI, target, denominator). Headcounts are made up.
_TARGETS = {
    "R1": (("2.1", 12, None), ("2.2", 24, None), ("10.1", 80, 40), ("15.1", 4, None),
           ("15.2", 90, 40), ("4.1", 3, None)),
    "R2": (("2.1", 10, None), ("2.2", 20, None), ("10.1", 80, 35), ("15.1", 4, None),
           ("15.2", 90, 35), ("4.1", 3, None)),
}  # fmt: skip
TARGETS = tuple(
    {"year": 2547, "unit": unit, "kpi": kpi, "target": target, "denominator": denominator}
    for unit, rows in _TARGETS.items()
    for kpi, target, denominator in rows
)
