"""HTTP routes of notifications: parse, call a use case, serialise."""

from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint

from common.auth import ADMIN, current_principal, require_roles
from common.db import unit_of_work
from common.errors import Invalid
from common.fields import MAX_PAGE
from services.notifications import deadletters, schemas, service

blp = Blueprint(
    "notifications", __name__, description="In-app inbox, notification preferences, email"
)


def _runtime():
    return current_app.extensions["rbm"]


def _session():
    return unit_of_work(_runtime().session_factory)


@blp.route("/inbox")
class Inbox(MethodView):
    @blp.arguments(schemas.InboxQuerySchema, location="query")
    @blp.response(200, schemas.NotificationSchema(many=True))
    @blp.paginate(page_size=20)
    def get(self, query, pagination_parameters):
        """The caller's notifications, newest first (`X-Unread-Count` header: unread ones)."""
        me = current_principal()
        if pagination_parameters.page > MAX_PAGE:
            raise Invalid("Out of range: page", {"page": [f"At most {MAX_PAGE}."]})
        with _session() as session:
            rows, total, unread = service.inbox(
                session,
                me.username,
                query["unread"],
                pagination_parameters.page,
                pagination_parameters.page_size,
            )
        pagination_parameters.item_count = total
        return rows, {"X-Unread-Count": str(unread), "X-Total-Count": str(total)}


@blp.route("/inbox/unread-count")
class UnreadCount(MethodView):
    @blp.response(200, schemas.UnreadSchema)
    def get(self):
        """How many of the caller's notifications are unread (for a badge)."""
        me = current_principal()
        with _session() as session:
            return {"unread": service.unread_count(session, me.username)}


@blp.route("/inbox/<string:notification_id>/read")
class Read(MethodView):
    @blp.response(204)
    def post(self, notification_id):
        """Mark one of the caller's notifications read (404 for anyone else's)."""
        me = current_principal()
        with _session() as session:
            service.mark_read(session, me.username, notification_id)


@blp.route("/inbox/read-all")
class ReadAll(MethodView):
    @blp.response(200, schemas.MarkedSchema)
    def post(self):
        """Mark every notification of the caller read."""
        me = current_principal()
        with _session() as session:
            return {"marked": service.mark_all_read(session, me.username)}


@blp.route("/preferences")
class Preferences(MethodView):
    @blp.response(200, schemas.PreferencesSchema)
    def get(self):
        """How the caller gets each kind: `immediate` email, daily `digest`, or `in_app` only."""
        me = current_principal()
        with _session() as session:
            return service.preferences(session, me.username)

    @blp.arguments(schemas.PreferencesSchema)
    @blp.response(200, schemas.PreferencesSchema)
    def put(self, choices):
        """Choose the delivery of some kinds; kinds not named keep theirs."""
        me = current_principal()
        with _session() as session:
            return service.set_preferences(session, me.username, choices)


@blp.route("/admin/emails")
class Emails(MethodView):
    @blp.arguments(schemas.EmailQuerySchema, location="query")
    @blp.response(200, schemas.EmailSchema(many=True))
    def get(self, query):
        """Emails by status, newest first; failed ones by default (admin)."""
        require_roles(ADMIN)
        with _session() as session:
            return service.emails(session, query["status"], query["limit"])


@blp.route("/admin/emails/<string:email_id>/retry")
class EmailRetry(MethodView):
    @blp.response(200, schemas.EmailSchema)
    def post(self, email_id):
        """Send a failed email again (admin)."""
        require_roles(ADMIN)
        with _session() as session:
            return service.retry_email(session, email_id)


@blp.route("/admin/dead-letters")
class DeadLetters(MethodView):
    @blp.arguments(schemas.DeadLetterQuerySchema, location="query")
    @blp.response(200, schemas.DeadLetterSchema(many=True))
    def get(self, query):
        """Events the consumers gave up on, left in their dead-letter queues (admin)."""
        require_roles(ADMIN)
        rt = _runtime()
        return deadletters.peek(rt.settings.broker_url, rt.extras["consumers"], query["limit"])


@blp.route("/admin/dead-letters/redrive")
class Redrive(MethodView):
    @blp.response(200, schemas.MovedSchema)
    def post(self):
        """Move dead letters back to their queues, once the cause is fixed (admin)."""
        require_roles(ADMIN)
        rt = _runtime()
        return {"moved": deadletters.redrive(rt.settings.broker_url, rt.extras["consumers"])}
