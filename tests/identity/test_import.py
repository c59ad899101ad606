"""CSV import of users: a preview with per-row errors by default, all rows or none on commit."""

from tests.conftest import login
from tests.identity.conftest import PASSWORD, USERS, unique_name

HEADER = "username,display_name,email,password,memberships\n"
IMPORT = f"{USERS}/import"


def _csv(*rows: str, header: str = HEADER) -> bytes:
    return (header + "".join(f"{row}\n" for row in rows)).encode()


def _good(name: str) -> str:
    return f"{name},ผู้ใช้ {name},{name}@test.rbm.invalid,{PASSWORD},R1:reporter;R2:unit_head"


def _upload(admin, content: bytes, commit: bool = False):
    params = {"commit": "true"} if commit else {}
    return admin.post(IMPORT, params=params, files={"file": ("users.csv", content, "text/csv")})


def test_preview_is_the_default_and_creates_nobody(admin, tables):
    name = unique_name()
    body = _upload(admin, _csv(_good(name))).json()
    assert (body["valid"], body["committed"]) == (True, False)
    assert not tables.exists(name)


def test_preview_names_the_line_and_field_of_each_error(admin):
    good, bad = unique_name(), unique_name()
    rows = _upload(admin, _csv(_good(good), f"{bad},x,,short,R1:reporter")).json()["rows"]
    assert rows[0] == {"line": 2, "username": good, "errors": {}}
    assert rows[1]["line"] == 3 and list(rows[1]["errors"]) == ["password"]


def test_preview_reports_unknown_units_and_roles_per_row(admin):
    rows = _upload(
        admin,
        _csv(
            f"{unique_name()},x,,{PASSWORD},NO-SUCH-UNIT:reporter",
            f"{unique_name()},x,,{PASSWORD},R1:emperor",
        ),
    ).json()["rows"]
    assert "NO-SUCH-UNIT" in rows[0]["errors"]["memberships"][0]
    assert "emperor" in rows[1]["errors"]["memberships"][0]


def test_a_name_twice_in_the_file_is_an_error_on_the_second_line(admin):
    name = unique_name()
    rows = _upload(admin, _csv(_good(name), _good(name))).json()["rows"]
    assert rows[0]["errors"] == {} and rows[1]["errors"] == {"username": ["Taken."]}


def test_commit_creates_every_row_and_they_log_in(live, admin):
    names = [unique_name(), unique_name()]
    body = _upload(admin, _csv(*map(_good, names)), commit=True).json()
    assert body["committed"] is True
    me = login(live, names[1], PASSWORD).get("/api/identity/me").json()
    assert me["units"] == ["R1", "R2"]


def test_commit_with_one_bad_row_imports_nothing(admin, tables):
    good = [unique_name(), unique_name()]
    content = _csv(_good(good[0]), f"{unique_name()},x,not-an-email,{PASSWORD},", _good(good[1]))
    body = _upload(admin, content, commit=True).json()
    assert (body["valid"], body["committed"]) == (False, False)
    assert [tables.exists(n) for n in good] == [False, False]


def test_a_file_in_windows_thai_is_read_as_thai(admin):
    name = unique_name()
    content = _csv(f"{name},ผู้ใช้ทดสอบ,,{PASSWORD},R1:reporter").decode()
    rows = _upload(admin, content.encode("cp874")).json()["rows"]
    assert rows == [{"line": 2, "username": name, "errors": {}}]


def test_a_file_that_is_not_text_is_422_naming_file_and_imports_nothing(admin, tables):
    before = tables.snapshot()
    resp = _upload(admin, b"\x89PNG\r\n\x1a\n" + bytes(range(256)), commit=True)
    assert resp.status_code == 422 and resp.json()["reason"] == "type-mismatch"
    assert "file" in resp.json()["errors"]
    assert tables.snapshot() == before


def test_a_cell_a_spreadsheet_would_run_is_422_naming_its_line_and_column(admin, tables):
    before = tables.snapshot()
    content = _csv(_good(unique_name()), f"{unique_name()},=HYPERLINK(1),,{PASSWORD},")
    resp = _upload(admin, content, commit=True)
    assert resp.status_code == 422 and resp.json()["reason"] == "formula"
    assert resp.json()["errors"]["file"][0].startswith("Line 3, column B")
    assert tables.snapshot() == before


def test_missing_columns_are_422_naming_them(admin):
    resp = _upload(admin, _csv("someone,x", header="username,display_name\n"))
    assert resp.status_code == 422
    assert "password" in resp.json()["errors"]["file"][0]


def test_a_spreadsheets_byte_order_mark_is_accepted(admin):
    body = _upload(admin, b"\xef\xbb\xbf" + _csv(_good(unique_name()))).json()
    assert body["valid"] is True


def test_an_existing_username_is_an_error_of_its_row(admin, new_user):
    taken = new_user()["username"]
    rows = _upload(admin, _csv(_good(taken))).json()["rows"]
    assert rows[0]["errors"] == {"username": ["Taken."]}


def test_a_request_without_a_file_is_422_naming_file(admin):
    resp = admin.post(IMPORT, data={"file": "not a file"})
    assert resp.status_code == 422 and "file" in resp.json()["errors"]
