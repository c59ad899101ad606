"""The admin's membership rows: sent as identity's text, its refusals placed on their rows."""

import pytest
from flask import Flask
from flask_babel import Babel

from services.portal import memberships
from services.portal.app import HERE

ROWS = [
    {"unit": "R1", "role": "reporter"},
    {"unit": "", "role": ""},
    {"unit": "R1-01", "role": "unit_hed"},
    {"unit": "NOWHERE", "role": "reviewer"},
]


@pytest.fixture(autouse=True)
def thai():
    app = Flask(__name__)
    app.config.update(
        BABEL_DEFAULT_LOCALE="th", BABEL_TRANSLATION_DIRECTORIES=str(HERE / "translations")
    )
    Babel(app)
    with app.test_request_context():
        yield


def test_rows_go_to_identity_as_its_text_without_the_blank_ones():
    assert memberships.as_text(ROWS) == "R1:reporter; R1-01:unit_hed; NOWHERE:reviewer"


def test_each_refusal_lands_on_its_row_in_thai():
    said = memberships.row_errors(
        [
            "Entry 2 'R1-01:unit_hed': unknown role 'unit_hed': one of reporter, unit_head.",
            "Unknown unit 'NOWHERE'.",
            "An 'importer' account holds no other role.",
        ],
        ROWS,
    )
    assert said == {
        2: ["ไม่มีบทบาท unit_hed: กรุณาเลือกจากรายการ"],
        3: ["ไม่มีหน่วยงานรหัส NOWHERE"],
        None: ["บัญชีบทบาท importer มีบทบาทอื่นไม่ได้"],
    }


def test_the_add_and_remove_buttons_posted_without_script_change_the_rows():
    assert memberships.edited(ROWS[:1], "add") == [ROWS[0], {"unit": "", "role": ""}]
    assert memberships.edited(ROWS[:2], "remove-0") == [ROWS[1]]
    assert memberships.edited(ROWS[:1], "remove-0") == [{"unit": "", "role": ""}]
    assert memberships.edited(ROWS, "") is None
