"""The catalogue names the year units report in now; the portal opens on it."""


def test_the_current_year_is_an_open_year(as_user):
    current = as_user("reporter1").get("/api/catalogue/years/current")
    assert current.status_code == 200, current.text
    assert current.json()["status"] == "open"
