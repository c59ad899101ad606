"""The dashboard in Chromium: the scorecard with its charts, drilling down to the reports
behind a figure, and the exports."""

import io
import uuid

import pytest
from openpyxl import load_workbook

from services.portal import review
from tests.conftest import login
from tests.portal.conftest import YEAR, act, agencies, create_report, enter_as, go, sign_in
from tests.waiting import eventually

PASSWORD = "team-password-1"


def crew(admin, unit: str) -> list[str]:
    """The usernames of a new reporter and a new unit head of the unit."""
    names = []
    for role in ("reporter", "unit_head"):
        username = f"{role[:3]}-{uuid.uuid4().hex[:8]}"
        resp = admin.post(
            "/api/identity/users",
            json={"username": username, "display_name": username, "password": PASSWORD,
                  "email": f"{username}@test.rbm.invalid",
                  "memberships": [{"unit": unit, "role": role}]},
        )  # fmt: skip
        assert resp.status_code == 201, resp.text
        names.append(username)
    return names


@pytest.fixture(scope="module")
def tree(live):
    """A region of its own with one province, 2.2 in 2547: the region's M01 approved, the
    province's M01 approved and M02 endorsed (awaiting approval); a target for the province.
    The ids of the reports each figure counts, and the province's reporter."""
    admin, reviewer = live.session("admin"), live.session("reviewer")
    region = f"R{uuid.uuid4().hex[:6].upper()}"
    province = f"{region}-1"
    for code, kind, parent in ((region, "region", "PRD"), (province, "province", region)):
        body = {"code": code, "name_th": f"ทดสอบ {code}", "name_en": code, "kind": kind,
                "parent": parent}  # fmt: skip
        assert admin.post("/api/catalogue/units", json=body).status_code == 201
    target = [{"unit": province, "kpi": "2.2", "target": 2}]
    assert admin.put(f"/api/catalogue/years/{YEAR}/targets", json=target).status_code == 200
    written = {}
    for unit in (region, province):
        names = crew(admin, unit)
        reporter, head = (login(live, name, PASSWORD) for name in names)
        for period, day, steps in (
            ("M01", "2003-10-06", ((reporter, "submit"), (head, "endorse"), (reviewer, "approve"))),
            ("M02", "2003-11-06", ((reporter, "submit"), (head, "endorse"))),
        ):
            if unit == region and period == "M02":
                continue
            report = create_report(
                reporter, unit, "2.2", period, items=agencies((f"เทศบาล{period}", day))
            )
            for who, action in steps:
                report = act(who, report, action)
            written[unit, period] = report["id"]
        written[unit] = names[0]
    return {
        "region": region,
        "province": province,
        "reporter": written[province],
        "approved": {
            region: {written[region, "M01"], written[province, "M01"]},
            province: {written[province, "M01"]},
        },  # fmt: skip
        "pending": {written[province, "M02"]},
    }


def listed(page) -> set[str]:
    return set(page.locator("#queue tbody tr").evaluate_all("rs => rs.map(r => r.dataset.report)"))


def kpi_row(page, tree: dict, unit: str, **params):
    """The dashboard's line of 2.2, once the scorecard has counted the tree's reports."""
    query = "&".join(f"{k}={v}" for k, v in {"year": YEAR, "unit": unit, **params}.items())

    def counted():
        page.goto(f"/dashboard?{query}")
        row = page.locator("#kpi-table tr[data-kpi='2.2']")
        assert row.count() == 1  # the scorecard knows the new units
        assert row.locator("a.approved").inner_text() == str(len(tree["approved"][unit]))
        if unit == tree["region"]:
            assert row.locator("a.pending").inner_text() == "1"
        return row

    return eventually(counted)


def test_a_kpis_actual_leads_to_exactly_the_approved_reports_it_counts(demo, page, tree):
    """The region counts its own approved report and its province's: those two are listed,
    never the province's report awaiting approval nor another region's."""
    enter_as(page, "reviewer")
    for unit in (tree["region"], tree["province"]):
        kpi_row(page, tree, unit)
        go(page, "#kpi-table tr[data-kpi='2.2'] td.actual a")
        assert "state=approved" in page.url
        assert listed(page) == tree["approved"][unit]
        # the region and those below it; the province, with nothing below it, alone
        below = "*" if unit == tree["region"] else ""
        assert page.locator("#unit").input_value() == f"{unit}{below}"
        assert page.locator("#state").input_value() == "approved"


def test_with_pending_the_actual_lists_those_awaiting_approval_too_and_each_part_its_own(
    demo, page, tree
):
    enter_as(page, "reviewer")
    row = kpi_row(page, tree, tree["region"], include="pending")
    everything = tree["approved"][tree["region"]] | tree["pending"]
    for link, expected in (
        ("td.actual a", everything),
        ("a.approved", tree["approved"][tree["region"]]),
        ("a.pending", tree["pending"]),
    ):
        page.goto(row.locator(link).get_attribute("href"))
        assert listed(page) == expected, link
        assert page.locator("#unit").input_value() == f"{tree['region']}*"
        page.go_back()
    page.goto(row.locator("td.actual a").get_attribute("href"))
    assert page.locator("#state option:checked").inner_text() == "อนุมัติแล้วหรือรออนุมัติ"


def test_the_list_reads_the_workflows_answer_page_by_page_and_says_when_it_stops(
    page, tree, monkeypatch
):
    """Pages of one report: the region's two approved reports are read in two pages; a list
    that reaches its most says so."""
    enter_as(page, "reviewer")
    behind = f"/review?year={YEAR}&within={tree['region']}&kpi=2.2&state=approved"
    monkeypatch.setattr(review, "PAGE", 1)
    for most, cut in ((3, 0), (2, 1)):
        monkeypatch.setattr(review, "MOST", most)
        page.goto(behind)
        assert listed(page) == tree["approved"][tree["region"]]
        assert page.locator("#cut-short").count() == cut


def test_a_unit_user_following_a_link_sees_only_their_units_reports(page, tree):
    """The province's reporter: their own line lists their report; the same list of the
    region or the department, typed in, still lists only their unit's reports."""
    enter_as(page, tree["reporter"], PASSWORD)
    kpi_row(page, tree, tree["province"])
    go(page, "#kpi-table tr[data-kpi='2.2'] td.actual a")
    assert listed(page) == tree["approved"][tree["province"]]
    assert page.locator("#own-units-only").count() == 0
    for above in (tree["region"], "PRD"):
        page.goto(f"/review?year={YEAR}&within={above}&kpi=2.2&state=approved")
        assert listed(page) == tree["approved"][tree["province"]], above
        # and it says that the figure above counts more than they may see
        assert "เฉพาะรายงานของหน่วยงานของท่าน" in page.inner_text("#own-units-only")
    assert page.goto(f"/dashboard?year={YEAR}&unit={tree['region']}").status == 404


def link_to(part: str) -> str:
    """An SVG link (`xlink:href`) whose address holds `part`."""
    return f"xpath=//*[local-name()='a'][contains(@*[local-name()='href'], '{part}')]"


def test_a_charts_bars_lead_to_the_reports_behind_them_and_to_a_units_dashboard(page, tree):
    """In Chromium: the achievement bar of 2.2 opens the list of its reports; the bar of the
    province in the chart of the units below opens the province's dashboard."""
    enter_as(page, "reviewer")
    kpi_row(page, tree, tree["region"])
    assert (
        "frame-ancestors 'self'"
        in page.request.get(page.locator("#chart-kpis").get_attribute("src")).headers[
            "content-security-policy"
        ]
    )
    bar = page.frame_locator("#chart-kpis").locator(link_to("kpi=2.2"))
    # named for a screen reader and a tooltip: the KPI and its achievement (the region and its
    # province served the same agency in M01: counted once, 1 of the target 2)
    assert bar.locator("xpath=./*[local-name()='title']").text_content() == "2.2: 50%"
    with page.expect_navigation():
        bar.click()
    assert "/review?" in page.url
    assert listed(page) == tree["approved"][tree["region"]]
    page.go_back()
    bar = page.frame_locator("#chart-units").locator(link_to(f"unit={tree['province']}"))
    with page.expect_navigation():
        bar.click()
    assert f"({tree['province']})" in page.locator("h1").inner_text()


def test_each_score_says_how_many_due_kpis_miss_a_value_and_a_kpi_how_it_was_reached(
    live, page, tree
):
    """The province's 2.2 counts its one unit's approved report; every other KPI due from it
    has no approved value: the overall score names how many, as the scorecard counts them."""
    enter_as(page, "reviewer")
    row = kpi_row(page, tree, tree["province"])
    params = {"unit": tree["province"]}
    card = live.session("reviewer").get(f"/api/scorecard/{YEAR}", params=params).json()
    assert card["missing"] > 0
    overall = page.locator("#score-overall").inner_text()
    assert f"ขาดผล {card['missing']} ตัวชี้วัด" in overall
    actual = next(k["actual"] for k in card["kpis"] if k["kpi"] == "2.2")
    assert row.locator(".basis").inner_text() == f"รวม 1 หน่วยงาน = {actual:,.0f}"
    missing = next(k["kpi"] for k in card["kpis"] if k["missing"])
    assert "ยังไม่รายงาน" in page.locator(f"#kpi-table tr[data-kpi='{missing}']").inner_text()


def test_the_reviewer_sees_the_departments_scorecard_with_charts_and_drills_down(page):
    sign_in(page, "reviewer")
    go(page, "#nav-dashboard")
    assert "ผลการดำเนินงานเทียบเป้าหมาย" in page.locator("h1").inner_text()
    assert page.locator("#kpi-table tbody tr").count() == 24
    for chart in ("#chart-kpis", "#chart-units", "#chart-completion"):
        assert page.frame_locator(chart).locator("svg").first.is_visible(), chart
    page.screenshot(path="/tmp/rbm-dashboard.png", full_page=True)
    go(page, "#units-below a:has-text('(R1)')")
    assert "(R1)" in page.locator("h1").inner_text()
    assert page.locator("nav[aria-label] a").first.inner_text()  # the way back up


def test_the_scorecard_and_progress_download_as_excel_and_csv_in_thai(page):
    sign_in(page, "reviewer")
    book = page.request.get(f"/exports/scorecard.xlsx?year={YEAR}&unit=R1")
    assert book.ok, book.text()
    rows = list(load_workbook(io.BytesIO(book.body())).active.values)
    assert rows[0][0].startswith("ผลการดำเนินงานเทียบเป้าหมาย") and "2547" in rows[0][0]
    assert rows[1][0].startswith("ข้อมูล ณ วันที่")
    assert rows[4][:3] == ("ตัวชี้วัด", "ชื่อตัวชี้วัด", "มิติ")
    text = page.request.get(f"/exports/progress.csv?year={YEAR}&unit=R1").body().decode("utf-8-sig")
    assert "กำหนดส่ง" in text and "2546" in text  # due dates in the Buddhist Era


def test_completion_and_score_over_the_year_by_month_thai_first_then_english(page):
    """Fiscal 2547 is over: its twelve months, October 2546 first, in the chart and in the
    table beside it; in English once chosen."""
    sign_in(page, "reviewer")
    page.goto(f"/dashboard?year={YEAR}&unit=R1")
    chart = page.locator("#chart-history")
    assert chart.evaluate("img => img.complete && img.naturalWidth > 0") is True
    assert chart.get_attribute("alt") == "ความครบถ้วนของรายงานและคะแนนตลอดปี"
    months = page.locator("#history-table tbody tr td:first-child").all_inner_texts()
    assert months[0] == "ต.ค. 2546" and months[-1] == "ก.ย. 2547" and len(months) == 12
    svg = page.request.get(chart.get_attribute("src")).text()
    assert "ต.ค. 2546" in svg and "ความครบถ้วน (ร้อยละ)" in svg and "คะแนนรวม (1-5)" in svg
    go(page, "header >> text=English")
    page.goto(f"/dashboard?year={YEAR}&unit=R1")
    months = page.locator("#history-table tbody tr td:first-child").all_inner_texts()
    assert (months[0], months[-1]) == ("Oct 2003", "Sep 2004")
    svg = page.request.get(page.locator("#chart-history").get_attribute("src")).text()
    assert "Oct 2003" in svg and "Completion (per cent)" in svg
