"""Use cases of identity: logging in, reading oneself, administering users."""

from __future__ import annotations

import csv
import hmac
import io
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from common import grants, intake
from common.auth import ADMIN, IMPORT_SCOPE, IMPORTER, ROLES, SERVICE, Principal, TokenSigner
from common.db import read_only, transactional
from common.errors import Conflict, Invalid, NotFound, Unauthorized
from common.events import record_event, utcnow
from common.intake.text import encoding_of
from services.identity import revocation, rules, security, throttle
from services.identity.events import UserChanged
from services.identity.models import Membership, Outbox, User
from services.identity.units import UnitExists, Units

hasher = PasswordHasher()
# Verified against when the username is unknown, so both answers take the same time.
_DUMMY_HASH = hasher.hash("not-a-real-password")
BAD_LOGIN = "The username or password is not correct."
# A search by name answers a picker: a few people, the typed text narrows them.
PEOPLE_FOUND = 20


class TooManyAttempts(Unauthorized):
    status, title = 429, "Too many failed logins"


def issue_service_token(
    signer: TokenSigner,
    username: str,
    password: str,
    secret_for,
    client: Client,
    outside: bool,
) -> str | None:
    """A token for a `svc-<service>` account whose derived password matches, else None.

    Never from outside rbm's network (`outside`): the name is then tried as a person's, which
    no one can hold, so the answer is a wrong password's.
    """
    service = username.removeprefix(rules.SERVICE_PREFIX)
    if not username.startswith(rules.SERVICE_PREFIX) or service not in grants.GRANTS:
        return None
    if outside:
        security.log_event(
            "login.service_account_outside", username=username, client=client.address
        )
        return None
    if not hmac.compare_digest(password.encode(), secret_for(service).encode()):
        return None
    claims = {"sub": username, "username": username, "name": username}
    # Its own scopes only: what one service's token reaches is what that service needs.
    scope = grants.scope_claim(service)
    return signer.sign(
        {**claims, "roles": [SERVICE], "scope": scope, "units": [], "memberships": []}
    )


def sign_in(
    sessions: sessionmaker[Session],
    signer: TokenSigner,
    credentials: tuple[str, str],
    secret_for,
    client: Client,
    outside: bool,
) -> str:
    """A token for a service account whose password matches, else for a person (or 401)."""
    username, password = credentials
    token = issue_service_token(signer, username, password, secret_for, client, outside)
    return token or issue_token(sessions, signer, username, password, client)


@transactional
def issue_token(
    session: Session, signer: TokenSigner, username: str, password: str, client: Client
) -> str:
    """Check a password and sign a token; the same answer for unknown users and bad passwords.

    Every path spends one password verification: a disabled or unknown account answers in
    the time a wrong password takes.
    """
    name = rules.normalise_username(username)
    now = utcnow()
    user_key, client_key = rules.user_key(name), rules.client_key(client.address)
    if not throttle.take_attempt(session, client_key, client.limit, rules.CLIENT_WINDOW, now):
        security.log_event("login.client_limited", username=name, client=client.address)
        raise TooManyAttempts("Too many failed logins from this address: try again later.")
    if not throttle.take_attempt(session, user_key, rules.MAX_FAILURES, rules.LOCK_FOR, now):
        security.log_event("login.locked_out", username=name, client=client.address)
        raise TooManyAttempts("Too many failed logins: try again later.")
    user = session.scalar(select(User).where(User.username == name))
    matches = _password_matches(user, password)
    if user is None or not user.active or not matches:
        reason = "unknown user" if user is None else "disabled" if not user.active else "password"
        security.log_event("login.failed", username=name, client=client.address, reason=reason)
        raise Unauthorized(BAD_LOGIN)
    throttle.clear(session, user_key)
    throttle.give_back(session, client_key)
    return signer.sign(claims_of(user))


@dataclass(frozen=True)
class Client:
    """Who is logging in, as far as the network says: the address and its allowance."""

    address: str
    limit: int = rules.CLIENT_FAILURES_PER_MINUTE


def _aware(moment):
    # SQLite hands back naive datetimes; they were stored in UTC.
    return moment.replace(tzinfo=utcnow().tzinfo) if moment and moment.tzinfo is None else moment


def _password_matches(user: User | None, password: str) -> bool:
    """One argon2 verification whoever asks: against a dummy hash when there is no user."""
    try:
        return hasher.verify(user.password_hash if user else _DUMMY_HASH, password) and bool(user)
    except (VerificationError, InvalidHashError):
        return False


def claims_of(user: User) -> dict:
    memberships = sorted({(m.unit, m.role) for m in user.memberships})
    roles = sorted({role for _, role in memberships})
    return {
        "sub": user.id,
        "username": user.username,
        "name": user.display_name,
        "roles": roles,
        "units": sorted({unit for unit, _ in memberships}),
        "memberships": [{"unit": u, "role": r} for u, r in memberships],
        # A machine account's token opens the imports and nothing else.
        **({"scope": IMPORT_SCOPE} if IMPORTER in roles else {}),
    }


@read_only
def me(session: Session, principal: Principal) -> dict:
    user = session.get(User, principal.user_id)
    if user is None or not user.active:
        raise Unauthorized("This account no longer exists or is disabled.")
    claims = claims_of(user)
    return {
        "username": user.username,
        "display_name": user.display_name,
        "email": user.email,
        "roles": claims["roles"],
        "units": claims["units"],
        "memberships": claims["memberships"],
    }


@dataclass(frozen=True)
class NewUser:
    username: str
    display_name: str
    password: str
    email: str = ""
    memberships: tuple[tuple[str, str], ...] = ()


def _check_new_user(new: NewUser, unit_exists: UnitExists) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if problem := rules.username_problem(new.username):
        errors["username"] = [problem]
    if problem := rules.display_name_problem(new.display_name):
        errors["display_name"] = [problem]
    if problem := rules.email_problem(new.email):
        errors["email"] = [problem]
    if problem := rules.password_problem(new.password, new.username):
        errors["password"] = [problem]
    errors.update(_membership_errors(new.memberships, unit_exists))
    return errors


def _membership_errors(
    memberships: Iterable[tuple[str, str]], unit_exists: UnitExists
) -> dict[str, list[str]]:
    problems = []
    for unit, role in memberships:
        if role not in ROLES:
            problems.append(f"Unknown role '{role}': one of {', '.join(ROLES)}.")
        if not unit_exists(unit):
            problems.append(f"Unknown unit '{unit}'.")
    if problem := rules.importer_problem([role for _, role in memberships]):
        problems.append(problem)
    return {"memberships": problems} if problems else {}


def create_user(
    sessions: sessionmaker[Session], actor: Principal, new: NewUser, units: Units
) -> User:
    """A new user with memberships in units the catalogue knows."""
    return _create_user(sessions, actor, new, units.checker(bool(new.memberships)))


@transactional
def _create_user(session: Session, actor: Principal, new: NewUser, unit_exists: UnitExists) -> User:
    new = NewUser(**{**new.__dict__, "username": rules.normalise_username(new.username)})
    if errors := _check_new_user(new, unit_exists):
        raise Invalid("The user cannot be created.", errors)
    if session.scalar(select(User.id).where(User.username == new.username)):
        raise Conflict(f"The username '{new.username}' is taken.", {"username": ["Taken."]})
    return add_user(session, actor.username, new)


def add_user(session: Session, actor: str | None, new: NewUser) -> User:
    user = User(
        username=new.username,
        display_name=new.display_name.strip() or new.username,
        email=new.email.strip(),
        password_hash=hasher.hash(new.password),
        memberships=[Membership(unit=u, role=r) for u, r in sorted(set(new.memberships))],
    )
    session.add(user)
    try:
        session.flush()
    except IntegrityError as exc:  # the same name created by a concurrent request
        raise Conflict(
            f"The username '{new.username}' is taken.", {"username": ["Taken."]}
        ) from exc
    changes = {"active": True, "memberships": claims_of(user)["memberships"]}
    _publish(session, user, actor, "created", changes)
    return user


def _publish(session: Session, user: User, actor: str | None, action: str, changes: dict) -> None:
    """Tell the other services, and keep the administrator's change in the trail."""
    security.record_admin_change(session, actor, action, user.username, changes)
    claims = claims_of(user)
    event = UserChanged(
        user_id=user.id,
        username=user.username,
        display_name=user.display_name,
        email=user.email,
        active=user.active,
        memberships=claims["memberships"],
    )
    record_event(session, Outbox, event, actor)


@read_only
def get_user(session: Session, username: str) -> User:
    name = rules.normalise_username(username)
    # A name no user can have (NUL, too long) is not looked up: the database may refuse it.
    user = (
        session.scalar(select(User).where(User.username == name))
        if rules.USERNAME.match(name)
        else None
    )
    if user is None:
        raise NotFound(f"No user '{username}'.")
    return user


@read_only
def list_users(
    session: Session, unit: str | None = None, role: str | None = None, search: str = ""
) -> list[User]:
    query = select(User).order_by(User.username)
    if search.strip():
        query = query.where(_named(search))
    if unit or role:
        query = query.join(Membership)
        if unit:
            query = query.where(Membership.unit == unit)
        if role:
            query = query.where(Membership.role == role)
    return list(session.scalars(query.distinct()))


def _named(search: str) -> Any:
    """Users whose display name or username holds `search`, in any case."""
    text = search.strip()
    return User.display_name.icontains(text, autoescape=True) | User.username.icontains(
        text, autoescape=True
    )


@read_only
def people(session: Session, usernames: Iterable[str] = (), search: str = "") -> list[User]:
    """People by username, or those whose display name or username holds `search` (any case).

    Disabled people are named too: the trail keeps naming whoever did something. Names that
    no user can have are simply absent, like unknown ones.
    """
    query = select(User).order_by(User.username)
    if search:
        return list(session.scalars(query.where(_named(search)).limit(PEOPLE_FOUND)))
    names = {n for n in map(rules.normalise_username, usernames) if rules.USERNAME.match(n)}
    return list(session.scalars(query.where(User.username.in_(names)))) if names else []


@transactional
def update_user(session: Session, actor: Principal, username: str, changes: dict) -> User:
    """Apply the fields given; an empty change set changes nothing and tells no one."""
    _lock_administrators(session)
    user = get_user.within(session, username)
    if not changes:
        return user
    if changes.get("active") is False and user.id == actor.user_id:
        raise Invalid(
            "Administrators cannot disable themselves.", {"active": ["Your own account."]}
        )
    if "password" in changes:
        if problem := rules.password_problem(changes["password"], user.username):
            raise Invalid("The password is not acceptable.", {"password": [problem]})
        user.password_hash = hasher.hash(changes["password"])
    for field in ("display_name", "email", "active"):
        if field in changes:
            setattr(user, field, changes[field])
    if "password" in changes or changes.get("active") is False:
        revocation.revoke_user(session, user.id)
    _keep_an_administrator(session)
    said = {k: ("(changed)" if k == "password" else v) for k, v in changes.items()}
    _publish(session, user, actor.username, "changed", said)
    return user


def _lock_administrators(session: Session) -> None:
    """Hold the administrators' rows until commit: two admins demoting the last two at once
    are then checked one after the other, and the second is refused (PostgreSQL)."""
    held = select(Membership.id).where(Membership.role == ADMIN).with_for_update()
    session.execute(held).all()


def _keep_an_administrator(session: Session) -> None:
    """Refuse a change that leaves no active administrator: nobody could undo it."""
    session.flush()
    admins = select(func.count(User.id.distinct())).join(Membership)
    if not session.scalar(admins.where(User.active.is_(True), Membership.role == ADMIN)):
        raise Conflict(
            "This would leave no active administrator.",
            {"memberships": ["Another active administrator is needed first."]},
        )


def set_memberships(
    sessions: sessionmaker[Session],
    actor: Principal,
    username: str,
    memberships: list[tuple[str, str]],
    units: Units,
) -> User:
    """Replace a user's memberships (units the catalogue knows; an administrator kept)."""
    unit_exists = units.checker(bool(memberships))
    return _set_memberships(sessions, actor, username, memberships, unit_exists)


@transactional
def _set_memberships(
    session: Session,
    actor: Principal,
    username: str,
    memberships: list[tuple[str, str]],
    unit_exists: UnitExists,
) -> User:
    if errors := _membership_errors(memberships, unit_exists):
        raise Invalid("The memberships are not valid.", errors)
    _lock_administrators(session)
    user = get_user.within(session, username)
    before = claims_of(user)["memberships"]
    wanted = set(memberships)
    # Rows kept as they are: a delete and an insert of one pair would collide at flush.
    kept = [m for m in user.memberships if (m.unit, m.role) in wanted]
    added = wanted - {(m.unit, m.role) for m in kept}
    user.memberships = kept + [Membership(unit=u, role=r) for u, r in sorted(added)]
    _keep_an_administrator(session)
    after = claims_of(user)["memberships"]
    if after != before:
        revocation.revoke_user(session, user.id)
    changes = {"memberships": {"before": before, "after": after}}
    _publish(session, user, actor.username, "memberships", changes)
    return user


CSV_COLUMNS = ("username", "display_name", "email", "password", "memberships")


@dataclass(frozen=True)
class CsvRow:
    line: int  # the row's (last) line in the file, for the admin to find it
    user: NewUser
    # Entries of its memberships text that are not unit:role, each named.
    membership_problems: tuple[str, ...] = ()


def parse_users_csv(raw: bytes) -> list[CsvRow]:
    """Read `username,display_name,email,password,memberships` rows (`R1:reporter;R2:...`),
    once the file has passed the common intake as every upload does: text in UTF-8 or
    Windows Thai (cp874), without NUL, and no cell a spreadsheet would run as a formula."""
    spool = io.BytesIO(raw)
    intake.inspect(spool, "csv")
    reader = csv.DictReader(io.StringIO(raw.decode(encoding_of(spool))))
    rows: list[CsvRow] = []
    try:
        header = [name.strip() for name in reader.fieldnames or []]
        missing = [c for c in CSV_COLUMNS if c not in header]
        if missing:
            raise Invalid(
                "The CSV header is incomplete.",
                {"file": ["Missing columns: " + ", ".join(missing)]},
            )
        reader.fieldnames = header
        for row in reader:
            rows.append(_row_of(reader.line_num, row))
            if len(rows) > rules.MAX_IMPORT_ROWS:
                raise Invalid(
                    "The file has too many rows.",
                    {"file": [f"At most {rules.MAX_IMPORT_ROWS} users per import."]},
                )
    except csv.Error as exc:
        raise Invalid(
            "The file is not valid CSV.", {"file": [f"Line {reader.line_num}: {exc}"]}
        ) from exc
    return rows


def _row_of(line: int, row: dict) -> CsvRow:
    memberships, problems = rules.parse_memberships(row["memberships"] or "")
    user = NewUser(
        username=rules.normalise_username(row["username"] or ""),
        display_name=(row["display_name"] or "").strip(),
        email=(row["email"] or "").strip(),
        password=row["password"] or "",
        memberships=tuple(memberships),
    )
    return CsvRow(line, user, tuple(problems))


def import_users(
    sessions: sessionmaker[Session],
    actor: Principal,
    rows: list[CsvRow],
    units: Units,
    commit: bool,
) -> dict:
    """Check every row; create all of them only when `commit` and no row has an error."""
    return _import_users(sessions, actor, rows, units.checker(bool(rows)), commit)


@transactional
def _import_users(
    session: Session, actor: Principal, rows: list[CsvRow], unit_exists: UnitExists, commit: bool
) -> dict:
    seen: set[str] = set()
    report = []
    for row in rows:
        new = row.user
        errors = _check_new_user(new, unit_exists)
        if row.membership_problems:
            errors["memberships"] = [*row.membership_problems, *errors.get("memberships", [])]
        taken = not errors.get("username") and session.scalar(
            select(User.id).where(User.username == new.username)
        )
        if new.username in seen or taken:
            errors.setdefault("username", []).append("Taken.")
        seen.add(new.username)
        report.append({"line": row.line, "username": new.username, "errors": errors})
    ok = all(not r["errors"] for r in report)
    if ok and commit:
        for row in rows:
            add_user(session, actor.username, row.user)
    return {"committed": ok and commit, "valid": ok, "rows": report}
