"""Settings: typed fields, each read from the variable it names."""

from dataclasses import dataclass

import pytest

from common.config import from_env, setting, typed


def test_each_setting_is_parsed_by_its_type_from_its_variable():
    settings = from_env(
        "workflow",
        {
            "RBM_SMTP_PORT": "2525",
            "RBM_DEMO": "yes",
            "RBM_HTTP_TIMEOUT": "2.5",
            "RBM_CELERY_METRICS_PORT": "9100",
        },
    )
    assert (settings.smtp_port, settings.demo, settings.http_timeout) == (2525, True, 2.5)
    assert settings.celery_metrics_port == 9100
    assert (settings.s3_bucket, settings.db_pool_size, settings.log_level) == (
        "rbm-evidence",
        10,
        "",
    )


@pytest.mark.parametrize(
    ("variable", "value"),
    [("RBM_SMTP_PORT", "twenty-five"), ("RBM_DEMO", "maybe"), ("RBM_HTTP_TIMEOUT", "soon")],
)
def test_a_value_that_does_not_parse_stops_the_start_naming_its_variable(variable, value):
    with pytest.raises(ValueError, match=variable):
        from_env("workflow", {variable: value})


def test_a_services_own_database_wins_over_the_shared_one(tmp_path):
    env = {
        "RBM_DATA_DIR": str(tmp_path),
        "RBM_DATABASE_URL": "postgresql://shared/rbm",
        "RBM_SCORECARD_DATABASE_URL": "postgresql://own/scorecard",
    }
    assert from_env("scorecard", env).database_url == "postgresql://own/scorecard"
    assert from_env("workflow", env).database_url == "postgresql://shared/rbm"
    assert from_env("identity", {"RBM_DATA_DIR": str(tmp_path)}).database_url == (
        f"sqlite:///{tmp_path}/identity.db"
    )


@dataclass(frozen=True)
class Section:
    days: int = setting("RBM_TEST_DAYS", 7)
    limit: float | None = setting("RBM_TEST_LIMIT", None)


def test_a_services_own_section_keeps_defaults_for_what_is_not_set():
    assert typed(Section, {}) == Section(7, None)
    assert typed(Section, {"RBM_TEST_LIMIT": "0.5"}) == Section(7, 0.5)
    assert typed(Section, {"RBM_TEST_DAYS": "2"}) == Section(2, None)
    assert typed(Section, {"RBM_TEST_DAYS": "1"}, days=3) == Section(3, None)
