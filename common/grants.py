"""Least privilege between services: what each `svc-<service>` account may do.

A service account's token carries the scopes its service needs (identity signs them in); each
scope opens a few operations of one service, named as Flask routes them (method and rule). A
service token is refused (403) on every other operation, whatever its role would allow: a
service broken into reaches what its own work needs, not what any service's does.

The needs, from the calls each service makes on its own account (`ServiceClient` without a
caller's token) and the producers its consumers bind to:
- every service copies identity's revocations;
- the workflow checks a stand-in's account, reads the catalogue and files an import's source
  as evidence on its own account (a machine account's import token opens nothing else), and
  keeps a copy of the catalogue and of users' changes from their feeds;
- evidence names the people of a unit on its forms and reads the reports and their audit
  trail it packs;
- notifications read who holds which role where, the units and the schedule, and the feeds of
  identity, the catalogue, the workflow and evidence (a pack built for its taker);
- the scorecard copies the catalogue, reads the workflow's and the catalogue's feeds, and reads
  the approved reports whose evidence files a round report lists;
- the catalogue and the portal only check revocations.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

# (service, HTTP method, route rule as the service's Flask app writes it)
Operation = tuple[str, str, str]

REVOCATIONS = "revocations:read"
PEOPLE = "people:read"
CATALOGUE = "catalogue:read"
REPORTS = "reports:read"
SOURCES = "sources:write"
# Services that keep a numbered feed of their events (`GET /events`).
PRODUCERS = ("catalogue", "evidence", "identity", "workflow")


def feed(producer: str) -> str:
    """The scope that reads `producer`'s feed of events."""
    return f"events:{producer}"


_CATALOGUE_READS = (
    "/units",
    "/years/<year:year>",
    "/years/<year:year>/kpis",
    "/years/<year:year>/kpis/<string:code>",
    # Evidence asks it with the uploader's token: the workflow's, for an import's source.
    "/years/<year:year>/kpis/<string:code>/scoring",
    "/years/<year:year>/scoring",
    "/years/<year:year>/targets",
    "/years/<year:year>/schedule",
    "/years/<year:year>/applicability",
)
_REPORT_READS = (
    "/reports",
    "/reports/<string:report_id>",
    "/reports/<string:report_id>/audit",
    "/audit/verify",
)
_PEOPLE_READS = (
    "/users",
    "/users/<string:username>",
    "/users/<string:username>/memberships",
)

SCOPES: Mapping[str, frozenset[Operation]] = {
    REVOCATIONS: frozenset({("identity", "GET", "/revocations")}),
    PEOPLE: frozenset(("identity", "GET", rule) for rule in _PEOPLE_READS),
    CATALOGUE: frozenset(("catalogue", "GET", rule) for rule in _CATALOGUE_READS),
    REPORTS: frozenset(("workflow", "GET", rule) for rule in _REPORT_READS),
    SOURCES: frozenset({("evidence", "POST", "/files")}),
    **{feed(p): frozenset({(p, "GET", "/events")}) for p in PRODUCERS},
}

GRANTS: Mapping[str, frozenset[str]] = {
    "catalogue": frozenset({REVOCATIONS}),
    "evidence": frozenset({REVOCATIONS, PEOPLE, REPORTS}),
    "workflow": frozenset(
        {REVOCATIONS, PEOPLE, CATALOGUE, SOURCES, feed("catalogue"), feed("identity")}
    ),
    "notifications": frozenset(
        {REVOCATIONS, PEOPLE, CATALOGUE}
        | {feed(p) for p in ("identity", "catalogue", "workflow", "evidence")}
    ),
    "scorecard": frozenset({REVOCATIONS, CATALOGUE, REPORTS, feed("catalogue"), feed("workflow")}),
    "portal": frozenset({REVOCATIONS}),
}


def scope_claim(account: str) -> str:
    """The `scope` claim of a service account's token (OAuth style: names, space separated)."""
    return " ".join(sorted(GRANTS[account]))


def opens(scopes: Iterable[str], service: str, method: str, rule: str) -> bool:
    """Whether any of `scopes` opens this operation (HEAD goes with GET)."""
    wanted = (service, "GET" if method == "HEAD" else method, rule)
    return any(wanted in SCOPES.get(scope, ()) for scope in scopes)
