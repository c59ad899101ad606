"""Every page of the portal in English once the user chooses it (Thai until then)."""

from tests.portal.conftest import api_of, create_report, go, sign_in


def test_every_page_speaks_english_after_the_switch(page, live, team):
    reporter = api_of(live, team.reporter, team.password)
    items = [{"order_no": "คำสั่ง 1/2546", "committee": "คณะทำงานประชาสัมพันธ์"}]
    report = create_report(reporter, team.unit, "2.1", "M01", items=items)
    sign_in(page, team.reporter, team.password)
    assert page.locator("html").get_attribute("lang") == "th"
    go(page, "header >> text=English")
    pages = {
        "/": ("h1", "Welcome"),
        "/progress?year=2547": ("h1", "Progress of fiscal year 2547"),
        "/kpis?year=2547": ("h1", "KPI catalogue, fiscal year 2547"),
        "/inbox": ("h1", "Inbox"),
        f"/reports/{report['id']}": ("#state", "draft"),
        f"/reports/{report['id']}/edit": ("#save", "Save"),
        f"/reports/new?year=2547&unit={team.unit}&kpi=2.1&period=M02": ("#add-row", "Add a row"),
        f"/reports/new?year=2547&unit={team.unit}&kpi=4.1&period=Q1": ("#download-form", "form"),
        "/no-such-page": ("h1", "Page not found"),
    }
    wrong = {}
    for path, (selector, text) in pages.items():
        page.goto(path)
        lang, said = page.locator("html").get_attribute("lang"), page.inner_text(selector)
        if lang != "en" or text not in said:
            wrong[path] = (lang, said)
    assert wrong == {}
