"""Perspectives and CSFs: four perspectives of 2547, CSFs nested, admins naming CSFs."""

from tests.catalogue.conftest import API


def test_2547_has_four_perspectives_with_thai_and_english_names(as_user):
    perspectives = as_user("reporter1").get(f"{API}/years/2547/perspectives").json()
    assert [p["code"] for p in perspectives] == ["P1", "P2", "P3", "P4"]
    assert perspectives[0]["name_th"] == "ด้านประสิทธิผลตามพันธกิจ"
    assert perspectives[3]["name_en"] == "Organisational development"


def test_csfs_are_nested_under_their_perspective_with_their_kpis(as_user):
    perspectives = as_user("reporter1").get(f"{API}/years/2547/perspectives").json()
    p4 = {c["code"]: c for c in perspectives[3]["csfs"]}
    assert list(p4) == [str(n) for n in range(9, 16)]
    assert p4["10"]["kpis"] == ["10.1", "10.2", "10.3", "10.4", "10.5"]


def test_every_kpi_is_under_exactly_one_csf(as_user):
    csfs = as_user("reporter1").get(f"{API}/years/2547/csfs").json()
    codes = [kpi for csf in csfs for kpi in csf["kpis"]]
    assert len(codes) == len(set(codes)) == 24


def test_an_admin_adds_a_csf_and_a_kpi_under_it(admin, own_year):
    csf = {"code": "16", "perspective": "P4", "name_th": "ปัจจัยทดสอบ", "name_en": "Test factor"}
    assert admin.post(f"{API}/years/{own_year}/csfs", json=csf).status_code == 201
    kpi = {
        "code": "16.1",
        "name_th": "ตัวชี้วัดทดสอบ",
        "method": "template",
        "cycle": "yearly",
        "measure": "level",
        "applies_to": ["bureau"],
    }
    assert admin.post(f"{API}/years/{own_year}/kpis", json=kpi).json()["perspective"] == "P4"


def test_a_reviewer_names_a_csf(reviewer, own_year):
    resp = reviewer.patch(f"{API}/years/{own_year}/csfs/15", json={"name_th": "ค่านิยม"})
    assert resp.status_code == 200 and resp.json()["kpis"] == ["15.1", "15.2"]


def test_a_csf_cannot_move_to_an_unknown_perspective(admin, own_year):
    resp = admin.patch(f"{API}/years/{own_year}/csfs/15", json={"perspective": "P9"})
    assert resp.status_code == 422 and "perspective" in resp.json()["errors"]
