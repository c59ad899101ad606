"""Finding and fetching evidence: filters, unit scope, and the SHA-256 checked on the way out."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update

from common.db import unit_of_work
from services.evidence.models import EvidenceFile
from tests.conftest import login
from tests.evidence import samples
from tests.evidence.conftest import FILES, free_report, post_file


@pytest.fixture
def office(live, make_team):
    """A fresh office with three files: two versions for 7.1 Y (reporter, head), one for 9.3."""
    team = make_team()
    year = free_report()["year"]  # the office is new: any year will do
    reporter = login(live, team.reporter, team.password)
    head = login(live, team.head, team.password)
    common = {"unit": team.unit, "year": year}
    files = [
        post_file(reporter, samples.pdf_file(), "a.pdf", kpi="7.1", period="Y", **common),
        post_file(head, samples.png_file(), "b.png", kpi="7.1", period="Y", **common),
        post_file(reporter, samples.pdf_file(), "c.pdf", kpi="9.3", period="Q2", **common),
    ]
    assert [f.status_code for f in files] == [201, 201, 201]
    return team, year, reporter, [f.json()["id"] for f in files]


def ids(resp) -> list[str]:
    assert resp.status_code == 200, resp.text
    return [f["id"] for f in resp.json()]


def test_listing_by_unit_and_year_gives_the_units_files_newest_first(office):
    team, year, reporter, (a, b, c) = office
    assert ids(reporter.get(FILES, params={"unit": team.unit, "year": year})) == [c, b, a]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"kpi": "7.1"}, [1, 0]),
        ({"period": "Q2"}, [2]),
        ({"kpi": "7.1", "latest": "true"}, [1]),
    ],
)
def test_listing_narrows_by_kpi_period_and_latest_version(office, params, expected):
    team, year, reporter, files = office
    found = ids(reporter.get(FILES, params={"unit": team.unit, "year": year, **params}))
    assert found == [files[i] for i in expected]


def test_listing_narrows_by_uploader(office):
    team, year, reporter, (_, b, _) = office
    params = {"unit": team.unit, "year": year, "uploader": team.head}
    assert ids(reporter.get(FILES, params=params)) == [b]


def test_listing_narrows_by_upload_day(office):
    team, year, reporter, files = office
    today = datetime.now(UTC).date()
    base = {"unit": team.unit, "year": year}
    since_today = reporter.get(FILES, params={**base, "uploaded_from": today.isoformat()})
    until_yesterday = reporter.get(
        FILES, params={**base, "uploaded_to": (today - timedelta(days=1)).isoformat()}
    )
    assert set(ids(since_today)) == set(files) and ids(until_yesterday) == []


def test_another_units_reporter_lists_none_of_its_files(office, as_user):
    team, year, _, _ = office
    assert ids(as_user("reporter2").get(FILES, params={"unit": team.unit, "year": year})) == []


def test_a_reviewer_and_an_auditor_list_every_units_files(office, as_user):
    team, year, _, files = office
    for who in ("reviewer", "auditor", "admin"):
        found = ids(as_user(who).get(FILES, params={"unit": team.unit, "year": year}))
        assert set(found) == set(files)


def test_another_units_reporter_gets_404_for_a_file_and_its_content(office, as_user):
    _, _, _, (a, _, _) = office
    other = as_user("reporter2")
    assert other.get(f"{FILES}/{a}").status_code == 404
    assert other.get(f"{FILES}/{a}/content").status_code == 404


def test_the_unit_head_reads_the_reporters_file(office, live):
    team, _, _, (a, _, _) = office
    head = login(live, team.head, team.password)
    assert head.get(f"{FILES}/{a}").json()["uploaded_by"] == team.reporter


@pytest.mark.parametrize("file_id", ["not-a-uuid", "00000000-0000-4000-8000-000000000000"])
def test_an_unknown_file_is_404(reporter, file_id):
    assert reporter.get(f"{FILES}/{file_id}").status_code == 404


def test_listing_needs_a_token(anonymous):
    assert anonymous.get(FILES).status_code == 401


def test_a_file_whose_bytes_no_longer_match_its_sha256_is_not_served(office, live, as_user):
    _, _, _, (a, _, _) = office
    factory = live.app("evidence").extensions["rbm"].session_factory
    with unit_of_work(factory) as session:
        session.execute(update(EvidenceFile).where(EvidenceFile.id == a).values(sha256="0" * 64))
    resp = as_user("auditor").get(f"{FILES}/{a}/content")
    assert resp.status_code == 500 and resp.json()["title"] == "Stored file damaged"


def test_a_file_overwritten_in_the_bucket_is_still_served_as_uploaded(office, evidence, as_user):
    import io

    _, _, _, (a, _, _) = office
    row = evidence.row(a)
    forged = b"%PDF-1.7 forged"
    evidence.store.client.put_object(
        evidence.store.bucket, row.object_key, io.BytesIO(forged), len(forged)
    )
    assert as_user("auditor").get(f"{FILES}/{a}/content").content == samples.pdf_file()
