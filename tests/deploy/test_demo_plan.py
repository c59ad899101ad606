"""The demo department's plan: the same seed and size make the same department, a larger size
the same shape with more offices, and its outcomes differ by region as the demo says."""

from __future__ import annotations

from collections import Counter
from datetime import date

from deploy.demo_department import REGIONS, TYPED, offices, plan

TODAY = date(2026, 3, 15)  # the sixth month of fiscal year 2569


def schedule(provinces: int) -> list[dict]:
    """Every office owes each typed KPI monthly, from October, as the catalogue would say."""
    months = [date(2025 + (m > 3), (m + 8) % 12 + 1, 1) for m in range(1, 13)]
    return [
        {"unit": unit, "kpi": kpi, "period": f"M{n:02d}", "starts_on": day.isoformat()}
        for unit in offices(provinces)
        for kpi in TYPED
        for n, day in enumerate(months, start=1)
    ]


def test_the_same_seed_and_size_make_the_same_plan_and_another_seed_another():
    rows = schedule(2)
    assert plan(rows, TODAY) == plan(rows, TODAY)
    assert plan(rows, TODAY, seed="another") != plan(rows, TODAY)


def test_a_larger_size_is_the_same_department_with_more_provincial_offices():
    assert len(offices(2)) == 8 * 3 and len(offices(10)) == 8 * 11
    assert set(REGIONS) <= set(offices(10)) and set(offices(2)) <= set(offices(10))
    small, large = plan(schedule(2), TODAY), plan(schedule(10), TODAY, provinces=10)
    assert set(small) <= set(large) and len(large) > 3 * len(small)


def test_only_slots_begun_by_today_are_planned_and_the_strong_region_outdoes_the_weak():
    slots = plan(schedule(2), TODAY)
    assert {s.period for s in slots} == {f"M{n:02d}" for n in range(1, 7)}
    approved = Counter(s.unit.split("-")[0] for s in slots if s.outcome == "approved")
    missing = Counter(s.unit.split("-")[0] for s in slots if s.outcome == "missing")
    assert approved["R3"] > approved["R5"] and missing["R5"] > missing["R3"]
