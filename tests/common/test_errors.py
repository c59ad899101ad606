"""Problem responses: whatever field names a client sent, the answer is a problem, never a 500."""

import json

from flask import Flask

from common.errors import problem


def test_a_field_whose_name_did_not_decode_is_named_as_empty_beside_the_others():
    with Flask(__name__).app_context():
        errors = {"year": ["Too small."], None: ["Unknown field."], "n": ["Unknown field."]}
        resp = problem(422, "Invalid", "Check the fields.", errors)
    assert json.loads(resp.get_data())["errors"] == {
        "year": ["Too small."],
        "": ["Unknown field."],
        "n": ["Unknown field."],
    }
