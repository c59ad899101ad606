"""Seed data, added by the migrate step before the apps start: the 2547 catalogue and the org
skeleton in every mode, once; demo samples."""

from sqlalchemy import select

from common.config import from_env
from common.db import unit_of_work
from common.web import runtime_of
from deploy.migrate import migrate_all
from services.catalogue.app import create_app
from services.catalogue.models import Kpi, Unit, Year
from tests.catalogue.conftest import CatalogueTables

SKELETON = {"PRD", "MSD", "ITC", *(f"R{n}" for n in range(1, 9))}


def start(env) -> CatalogueTables:
    """Migrate and seed the catalogue's store once more, as the runner does, and start its app."""
    migrate_all(["catalogue"], env)
    app = create_app(from_env("catalogue", env))
    runtime_of(app).engine.dispose()
    return CatalogueTables(runtime_of(app).session_factory)


def test_a_second_start_on_the_same_database_changes_nothing(live, tables):
    before = tables.state()
    start(live.env)
    assert tables.state() == before


def test_without_demo_only_the_skeleton_and_2547_are_loaded(tmp_path):
    tables = start({"RBM_DATA_DIR": str(tmp_path), "RBM_DEMO": "0"})
    with unit_of_work(tables.factory) as session:
        units = set(session.scalars(select(Unit.code)))
        years = list(session.scalars(select(Year.year)))
        kpis = list(session.scalars(select(Kpi.code).where(Kpi.year == 2547)))
    assert units == SKELETON
    assert years == [2547] and len(kpis) == 24


def test_embedded_mode_loads_once_across_restarts(tmp_path):
    env = {"RBM_DATA_DIR": str(tmp_path), "RBM_DEMO": "1"}
    first = start(env).state()
    assert start(env).state() == first


def test_the_first_start_announces_2547_and_the_units(tmp_path):
    tables = start({"RBM_DATA_DIR": str(tmp_path), "RBM_DEMO": "0"})
    assert len(tables.events("catalogue.year.opened", year=2547)) == 1
    assert len(tables.events("catalogue.unit.changed")) == len(SKELETON)
