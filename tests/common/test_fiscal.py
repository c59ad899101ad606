"""The fiscal calendar, worked out by hand from the seed's year 2547 (October 2003 onwards)."""

from datetime import date

import pytest

from common import fiscal


def test_fiscal_2547_runs_from_october_2003_to_september_2004():
    assert fiscal.fiscal_year_dates(2547) == (date(2003, 10, 1), date(2004, 9, 30))


@pytest.mark.parametrize(
    ("day", "year"),
    [(date(2003, 9, 30), 2546), (date(2003, 10, 1), 2547), (date(2004, 9, 30), 2547)],
)
def test_a_day_belongs_to_the_fiscal_year_that_started_on_the_last_first_of_october(day, year):
    assert fiscal.fiscal_year_of(day) == year


@pytest.mark.parametrize(
    ("period", "first", "last"),
    [
        ("M01", date(2003, 10, 1), date(2003, 10, 31)),
        ("M03", date(2003, 12, 1), date(2003, 12, 31)),
        ("M04", date(2004, 1, 1), date(2004, 1, 31)),
        ("M05", date(2004, 2, 1), date(2004, 2, 29)),  # 2004 is a leap year
        ("M12", date(2004, 9, 1), date(2004, 9, 30)),
        ("Q1", date(2003, 10, 1), date(2003, 12, 31)),
        ("Q2", date(2004, 1, 1), date(2004, 3, 31)),
        ("Q4", date(2004, 7, 1), date(2004, 9, 30)),
        ("H1", date(2003, 10, 1), date(2004, 3, 31)),
        ("H2", date(2004, 4, 1), date(2004, 9, 30)),
        ("Y", date(2003, 10, 1), date(2004, 9, 30)),
    ],
)
def test_periods_count_fiscal_months_from_october(period, first, last):
    assert fiscal.period_dates(2547, period) == (first, last)


def test_february_of_a_common_year_has_28_days():
    assert fiscal.period_dates(2548, "M05") == (date(2005, 2, 1), date(2005, 2, 28))


def test_an_unknown_period_is_a_key_error():
    with pytest.raises(KeyError):
        fiscal.period_dates(2547, "M13")


def test_thai_dates_use_the_buddhist_era_year():
    assert fiscal.thai_date(date(2003, 10, 1)) == "1 ตุลาคม 2546"
    assert fiscal.thai_date(date(2004, 1, 15), short=True) == "15 ม.ค. 2547"


@pytest.mark.parametrize(
    ("period", "label"),
    [
        ("M01", "เดือนตุลาคม"),
        ("M04", "เดือนมกราคม"),
        ("Q3", "ไตรมาสที่ 3"),
        ("H1", "ครึ่งปีแรก"),
        ("Y", "ทั้งปีงบประมาณ"),
    ],
)
def test_periods_have_thai_names(period, label):
    assert fiscal.period_label_th(period) == label
