"""What every service serves: health, readiness and an OpenAPI document of every route."""

import pytest

from tests.catalogue.conftest import API

PATHS = [
    "/years",
    "/years/{year}",
    "/years/{year}/perspectives",
    "/years/{year}/csfs",
    "/years/{year}/kpis",
    "/years/{year}/kpis/{code}",
    "/years/{year}/kpis/{code}/periods",
    "/years/{year}/targets",
    "/years/{year}/assignments",
    "/years/{year}/schedule",
    "/years/{year}/applicability",
    "/units",
    "/units/{code}",
]


@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
def test_health_and_readiness_answer_without_a_token(anonymous, path):
    assert anonymous.get(f"{API}{path}").status_code == 200


def test_the_openapi_document_lists_every_route(anonymous):
    spec = anonymous.get(f"{API}/openapi.json").json()
    assert set(PATHS) <= set(spec["paths"])
