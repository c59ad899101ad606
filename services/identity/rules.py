"""Pure rules of identity: usernames, passwords, login throttling, the client's address."""

from __future__ import annotations

import hashlib
import ipaddress
import re
from collections.abc import Iterable
from datetime import timedelta

from marshmallow import ValidationError, validate

from common.auth import IMPORTER, ROLES
from common.fields import text_problem

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
MIN_PASSWORD = 8
SERVICE_PREFIX = "svc-"
MAX_FAILURES = 5
LOCK_FOR = timedelta(minutes=15)
# One client (address) may fail this many logins a minute: it cannot lock every account.
CLIENT_FAILURES_PER_MINUTE = 20
CLIENT_WINDOW = timedelta(minutes=1)


def normalise_username(raw: str) -> str:
    return raw.strip().lower()


def username_problem(username: str) -> str | None:
    if username.startswith(SERVICE_PREFIX):
        return f"Names starting with '{SERVICE_PREFIX}' are kept for services."
    if not USERNAME.match(username):
        return "2-64 characters: lower-case letters, digits, '.', '_' or '-'."
    return None


def importer_problem(roles: list[str]) -> str | None:
    """A machine account for imports holds that role only: its token can do nothing else."""
    if IMPORTER in roles and set(roles) != {IMPORTER}:
        return f"An '{IMPORTER}' account holds no other role."
    return None


# Entries of the memberships text: an admin types `R1:reporter; R1-01:unit_head`, a CSV
# import holds the same in its `memberships` column; `,` and line breaks also part them.
MEMBERSHIP_ENTRIES = re.compile(r"[;,\r\n]")
MAX_UNIT = 32


def parse_memberships(text: str) -> tuple[list[tuple[str, str]], list[str]]:
    """The (unit, role) pairs of a memberships text, and a problem for each entry that is not
    one, naming the entry by its number and its text."""
    pairs, problems = [], []
    entries = [entry.strip() for entry in MEMBERSHIP_ENTRIES.split(text) if entry.strip()]
    for number, entry in enumerate(entries, 1):
        unit, colon, role = (part.strip() for part in entry.partition(":"))
        if problem := _membership_problem(unit, colon, role) or text_problem(entry):
            problems.append(f"Entry {number} '{entry}': {problem}")
        else:
            pairs.append((unit, role))
    return pairs, problems


def _membership_problem(unit: str, colon: str, role: str) -> str | None:
    if not (unit and colon and role):
        return "write it as unit:role, e.g. R1:reporter."
    if role not in ROLES:
        return f"unknown role '{role}': one of {', '.join(ROLES)}."
    if len(unit) > MAX_UNIT:
        return f"a unit code has at most {MAX_UNIT} characters."
    return None


def password_problem(password: str, username: str) -> str | None:
    if len(password) < MIN_PASSWORD:
        return f"At least {MIN_PASSWORD} characters."
    if len(password) > 256:
        return "At most 256 characters."
    if password.lower() == username.lower():
        return "Must not be the username."
    return None


def user_key(username: str) -> str:
    """A name's throttle key; a name no user can have is kept by its hash (never '@...')."""
    if USERNAME.match(username):
        return username
    return "#" + hashlib.sha256(username.encode()).hexdigest()[:63]


def client_key(address: str) -> str:
    return f"@{address}"[:64]


def parse_networks(text: str) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    """`RBM_TRUSTED_PROXIES`: addresses or networks, comma-separated."""
    return tuple(ipaddress.ip_network(part.strip()) for part in text.split(",") if part.strip())


def _ip(text: str):
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def client_address(peer: str, forwarded_for: str, trusted: Iterable) -> str:
    """The client as the trusted gateway reports it.

    X-Forwarded-For is read right to left, only while each hop is a trusted proxy: anything a
    client wrote itself sits to the left of the first untrusted address and is ignored.
    """
    trusted = tuple(trusted)

    def is_trusted(ip) -> bool:
        return ip is not None and any(ip in network for network in trusted)

    address = peer
    hops = [hop for hop in forwarded_for.split(",") if hop.strip()]
    while is_trusted(_ip(address)) and hops:
        hop = _ip(hops.pop())
        if hop is None:
            break
        address = str(hop)
    return address


MAX_DISPLAY_NAME = 200
MAX_EMAIL = 254
# Each created user costs one argon2 hash (~0.1 s): bigger lists go in several files.
MAX_IMPORT_ROWS = 1000
_email = validate.Email()


def display_name_problem(display_name: str) -> str | None:
    if not display_name:
        return "Required."
    if len(display_name) > MAX_DISPLAY_NAME:
        return f"At most {MAX_DISPLAY_NAME} characters."
    return text_problem(display_name)


def email_problem(email: str) -> str | None:
    """An empty email is allowed (not everyone has one); any other must be an address."""
    if len(email) > MAX_EMAIL:
        return f"At most {MAX_EMAIL} characters."
    if not email:
        return None
    try:
        _email(email)
    except ValidationError:
        return "Not a valid email address."
    return None
