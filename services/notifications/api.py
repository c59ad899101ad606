"""HTTP routes of notifications: parse, call a use case, serialise."""

from flask import current_app, request
from flask.views import MethodView
from flask_smorest import Blueprint

from common.auth import ADMIN, current_principal, require_roles
from common.web import current_runtime, current_sessions, dependencies_of, require_json_body
from services.notifications import deadletters, schemas, service
from services.notifications.dependencies import Dependencies

blp = Blueprint(
    "notifications", __name__, description="In-app inbox, notification preferences, email"
)


def _consumers():
    return dependencies_of(current_app, Dependencies).consumers


@blp.before_request
def _refuse_early():
    """401 first, then a body that is missing or not JSON (only preferences take one)."""
    current_principal()
    if request.method == "PUT":
        require_json_body()


@blp.route("/inbox")
class Inbox(MethodView):
    @blp.arguments(schemas.InboxQuerySchema, location="query")
    @blp.response(200, schemas.NotificationSchema(many=True))
    def get(self, query):
        """The caller's notifications, newest first (`X-Total-Count`: all of them that match,
        `X-Unread-Count`: unread ones)."""
        me = current_principal()
        rows, total, unread = service.inbox(
            current_sessions(), me.username, query["unread"], query["limit"], query["offset"]
        )
        return rows, {"X-Unread-Count": str(unread), "X-Total-Count": str(total)}


@blp.route("/inbox/unread-count")
class UnreadCount(MethodView):
    @blp.response(200, schemas.UnreadSchema)
    def get(self):
        """How many of the caller's notifications are unread (for a badge)."""
        me = current_principal()
        return {"unread": service.unread_count(current_sessions(), me.username)}


@blp.route("/inbox/<string:notification_id>/read")
class Read(MethodView):
    @blp.response(204)
    def post(self, notification_id):
        """Mark one of the caller's notifications read (404 for anyone else's)."""
        me = current_principal()
        service.mark_read(current_sessions(), me.username, notification_id)


@blp.route("/inbox/read-all")
class ReadAll(MethodView):
    @blp.response(200, schemas.MarkedSchema)
    def post(self):
        """Mark every notification of the caller read."""
        me = current_principal()
        return {"marked": service.mark_all_read(current_sessions(), me.username)}


@blp.route("/preferences")
class Preferences(MethodView):
    @blp.response(200, schemas.PreferencesSchema)
    def get(self):
        """How the caller gets each kind: `immediate` email, daily `digest`, or `in_app` only."""
        me = current_principal()
        return service.preferences(current_sessions(), me.username)

    @blp.arguments(schemas.PreferencesSchema)
    @blp.response(200, schemas.PreferencesSchema)
    def put(self, choices):
        """Choose the delivery of some kinds; kinds not named keep theirs."""
        me = current_principal()
        return service.set_preferences(current_sessions(), me.username, choices)


@blp.route("/admin/emails")
class Emails(MethodView):
    @blp.arguments(schemas.EmailQuerySchema, location="query")
    @blp.response(200, schemas.EmailSchema(many=True))
    def get(self, query):
        """Emails by status, newest first; failed ones by default (admin)."""
        require_roles(ADMIN)
        return service.emails(current_sessions(), query["status"], query["limit"])


@blp.route("/admin/emails/<string:email_id>/retry")
class EmailRetry(MethodView):
    @blp.response(200, schemas.EmailSchema)
    def post(self, email_id):
        """Send a failed email again (admin)."""
        require_roles(ADMIN)
        return service.retry_email(current_sessions(), email_id)


@blp.route("/admin/dead-letters")
class DeadLetters(MethodView):
    @blp.arguments(schemas.DeadLetterQuerySchema, location="query")
    @blp.response(200, schemas.DeadLetterSchema(many=True))
    def get(self, query):
        """Events the consumers gave up on, left in their dead-letter queues (admin)."""
        require_roles(ADMIN)
        return deadletters.peek(current_runtime().settings.broker_url, _consumers(), query["limit"])


@blp.route("/admin/dead-letters/redrive")
class Redrive(MethodView):
    @blp.response(200, schemas.MovedSchema)
    def post(self):
        """Move dead letters back to their queues, once the cause is fixed (admin)."""
        require_roles(ADMIN)
        return {"moved": deadletters.redrive(current_runtime().settings.broker_url, _consumers())}
