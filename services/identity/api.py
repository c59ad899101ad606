"""HTTP routes of identity: parse, call a use case, serialise."""

from collections.abc import Callable
from functools import partial, wraps

from flask import current_app, request
from flask.views import MethodView
from flask_smorest import Blueprint

from common.auth import (
    ADMIN,
    AUDITOR,
    SERVICE,
    bearer_token,
    current_principal,
    from_outside,
)
from common.secrets import service_password
from common.web import current_runtime, current_sessions, dependencies_of
from services.identity import revocation, rules, schemas, security, service
from services.identity.dependencies import Dependencies
from services.identity.units import CatalogueUnits

blp = Blueprint("identity", __name__, description="Users, roles, unit memberships and tokens")


def _deps() -> Dependencies:
    return dependencies_of(current_app, Dependencies)


def allowed(*roles: str) -> Callable[[Callable], Callable]:
    """401/403 before the body is even read: a stranger learns nothing from validation errors.

    No roles: anyone signed in (a service account only where its scopes open the route)."""

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def checked(*args, **kwargs):
            principal = current_principal()
            if roles:
                principal.require_role(*roles)
            return view(*args, **kwargs)

        return checked

    return decorate


admin_only = allowed(ADMIN)
# Other services read who holds which role where (whom to notify) on their own accounts.
admin_or_service = allowed(ADMIN, SERVICE)
signed_in = allowed()


def _units() -> CatalogueUnits:
    """The catalogue's units as the caller may read them (asked by the use case, if at all)."""
    return CatalogueUnits(_deps().catalogue, bearer_token())


@blp.route("/token")
class Token(MethodView):
    @blp.arguments(schemas.TokenRequest)
    @blp.response(200, schemas.TokenResponse)
    def post(self, body):
        """Exchange a username and password for a bearer token."""
        runtime, deps = current_runtime(), _deps()
        signer = deps.signer
        secret_for = partial(service_password, runtime.settings)
        client = service.Client(
            rules.client_address(
                request.remote_addr or "",
                request.headers.get("X-Forwarded-For", ""),
                deps.trusted_proxies,
            ),
            deps.client_login_limit,
        )
        credentials = (body["username"], body["password"])
        token = service.sign_in(
            current_sessions(), signer, credentials, secret_for, client, from_outside()
        )
        return {"access_token": token, "token_type": "Bearer", "expires_in": signer.ttl}


@blp.route("/jwks.json")
class Jwks(MethodView):
    @blp.response(200, schemas.JwksSchema)
    def get(self):
        """The public keys that verify identity's tokens and the evidence packs' signatures."""
        return _deps().published_keys.jwks()


@blp.route("/revocations")
class Revocations(MethodView):
    @allowed(SERVICE)
    @blp.response(200, schemas.RevocationsSchema)
    def get(self):
        """Tokens refused before their expiry: every service keeps a copy (service accounts)."""
        return revocation.current(current_sessions())


@blp.route("/logout")
class Logout(MethodView):
    @blp.response(204)
    def post(self):
        """End this token now, everywhere (signing out)."""
        principal = current_principal()
        revocation.revoke_token(current_sessions(), principal)
        current_runtime().verifier.revocations.revoke_token(
            principal.token_id, principal.expires_at
        )


@blp.route("/me")
class Me(MethodView):
    @blp.response(200, schemas.MeSchema)
    def get(self):
        """Who the token belongs to: roles and units."""
        principal = current_principal()
        return service.me(current_sessions(), principal)


@blp.route("/users")
class Users(MethodView):
    @admin_or_service
    @blp.arguments(schemas.UserQuerySchema, location="query")
    @blp.response(200, schemas.UserSchema(many=True))
    def get(self, query):
        """List users (admin or service), optionally those holding a role in a unit."""
        return service.list_users(
            current_sessions(), query.get("unit"), query.get("role"), query.get("q", "")
        )

    @admin_only
    @blp.arguments(schemas.UserSchema)
    @blp.response(201, schemas.UserSchema)
    def post(self, body):
        """Create a user with memberships (admin)."""
        new = service.NewUser(
            username=body["username"],
            display_name=body["display_name"],
            password=body["password"],
            email=body.get("email", ""),
            memberships=tuple((m["unit"], m["role"]) for m in body["memberships"]),
        )
        return service.create_user(current_sessions(), current_principal(), new, _units())


@blp.route("/people")
class People(MethodView):
    @signed_in
    @blp.arguments(schemas.PeopleQuerySchema, location="query")
    @blp.response(200, schemas.PersonSchema(many=True))
    def get(self, query):
        """People's names by username, or those found by part of a name (anyone signed in)."""
        return service.people(current_sessions(), query.get("username", ()), query.get("q", ""))


@blp.route("/users/import")
class UserImport(MethodView):
    @admin_only
    @blp.arguments(schemas.ImportQuerySchema, location="query")
    @blp.arguments(schemas.ImportFileSchema, location="files")
    @blp.response(200, schemas.ImportResultSchema)
    def post(self, query, files):
        """Import users from CSV: a preview by default, all rows or none with `commit=true`."""
        rows = service.parse_users_csv(files["file"].read())
        return service.import_users(
            current_sessions(), current_principal(), rows, _units(), query["commit"]
        )


@blp.route("/users/<string:username>")
class UserItem(MethodView):
    @admin_or_service
    @blp.response(200, schemas.UserSchema)
    def get(self, username):
        """One user (admin or service)."""
        return service.get_user(current_sessions(), username)

    @admin_only
    @blp.arguments(schemas.UserUpdateSchema)
    @blp.response(200, schemas.UserSchema)
    def patch(self, body, username):
        """Change a user's name, email, password, or disable them (admin)."""
        return service.update_user(current_sessions(), current_principal(), username, body)


@blp.route("/users/<string:username>/memberships")
class UserMemberships(MethodView):
    @admin_or_service
    @blp.response(200, schemas.MembershipsSchema)
    def get(self, username):
        """A user's memberships, as the PUT takes them back (admin or service)."""
        return service.get_user(current_sessions(), username)

    @admin_only
    @blp.arguments(schemas.MembershipsSchema)
    @blp.response(200, schemas.UserSchema)
    def put(self, body, username):
        """Replace a user's memberships (admin)."""
        pairs = [(m["unit"], m["role"]) for m in body["memberships"]]
        return service.set_memberships(
            current_sessions(), current_principal(), username, pairs, _units()
        )


@blp.route("/audit")
class AdminTrail(MethodView):
    @allowed(ADMIN, AUDITOR)
    @blp.arguments(schemas.AuditQuerySchema, location="query")
    @blp.response(200, schemas.AdminAuditSchema(many=True))
    def get(self, query):
        """Administrators' changes to users and roles, oldest first (admin, auditor)."""
        return security.trail(current_sessions(), query.get("subject"))


@blp.route("/audit/verify")
class AdminTrailCheck(MethodView):
    @allowed(ADMIN, AUDITOR)
    @blp.response(200, schemas.AuditVerificationSchema)
    def get(self):
        """Whether the hash chain of administrators' changes is intact (admin, auditor)."""
        return security.verify_trail(current_sessions())
