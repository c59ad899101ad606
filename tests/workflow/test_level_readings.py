"""The level of an evidence KPI (4.1, 7.1, 9.3): read from the newest form, worked by hand."""

import pytest

from common.errors import Invalid
from services.workflow.gateways import Kpi
from services.workflow.values import FORM_BLANK, Inputs, other_value, stored_inputs

KM_9_3 = Kpi("9.3", "template", "", "level", None, (), None)


def form(file_id: str, level: int | None) -> dict:
    """A report's entry of an uploaded rbm form and the level read from it."""
    return {
        "id": file_id,
        "sha256": file_id * 4,
        "filename": "แบบฟอร์ม.docx",
        "form": True,
        "level": level,
    }


def other_file(file_id: str) -> dict:
    """A file that is no rbm form (a scan, a memo): nothing is read from it."""
    return {
        "id": file_id,
        "sha256": file_id * 4,
        "filename": "scan.pdf",
        "form": False,
        "level": None,
    }


def level_of(evidence, typed=None):
    return other_value(KM_9_3, Inputs(value=typed), evidence, None)


def test_the_newest_forms_reading_is_the_level_even_when_it_reaches_none():
    # v1 reads 3, v2 reads "no level reached": the level is v2's 0, never v1's 3.
    read = level_of([form("v1", 3), form("v2", 0)])
    assert (read.value, read.value_source) == (0.0, "evidence")
    assert read.value_basis["file_id"] == "v2"
    assert "no level reached" in read.value_basis["warning"]


def test_a_newer_form_that_reaches_a_level_is_read_without_a_warning():
    read = level_of([form("v1", 0), form("v2", 2)])
    assert (read.value, read.value_basis["level"]) == (2.0, 2)
    assert "warning" not in read.value_basis


def test_a_typed_level_that_differs_from_the_form_is_flagged_and_the_form_counts():
    read = level_of([form("v1", 1)], typed=5)
    assert (read.value, read.value_source) == (1.0, "evidence")
    assert read.value_basis["typed_level"] == 5
    assert "Level 5 was typed in, the newest form reads 1" in read.value_basis["typed_differs"]


def test_a_typed_level_equal_to_the_forms_raises_no_flag():
    read = level_of([form("v1", 4)], typed=4)
    assert read.value == 4.0 and "typed_differs" not in read.value_basis


def test_a_level_is_typed_in_only_when_no_file_can_be_read_as_the_form():
    read = level_of([other_file("scan")], typed=4)
    assert (read.value, read.value_source, read.value_basis) == (4, "entered", None)


def test_a_newest_form_with_nothing_filled_in_gives_no_level_and_says_why():
    read = level_of([form("v1", 3), form("v2", None)], typed=3)
    assert (read.value, read.value_basis["problem"]) == (None, FORM_BLANK)


def test_a_typed_level_is_kept_for_the_next_edit_when_the_form_counts():
    read = level_of([form("v1", 1)], typed=5)
    kept = stored_inputs(read.value, read.value_source, read.value_basis, [], ["v1"], "")
    assert kept["value"] == 5


def test_a_form_kept_before_forms_were_marked_is_read_by_its_level():
    legacy = {"id": "old", "sha256": "x", "filename": "f.docx", "level": 2}
    assert level_of([legacy, other_file("scan")]).value == 2.0


@pytest.mark.parametrize("typed", [0, 6, 5.5])
def test_a_typed_level_outside_1_to_5_is_refused(typed):
    with pytest.raises(Invalid):
        level_of([form("v1", 3)], typed=typed)
