"""What every answer of the portal carries against framing, injection and downgrade attacks."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

# Scripts and styles from this site's own files only: no inline code, no handlers, no eval.
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    # The language switch returns to the page it came from: same-origin referrers only.
    "Referrer-Policy": "same-origin",
}
HSTS = "max-age=31536000; includeSubDomains"


def framed_by_this_site(response):
    """An answer that this site's own pages may show in a frame (evidence shown inline)."""
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY.replace(
        "frame-ancestors 'none'", "frame-ancestors 'self'"
    )
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    return response


def init_app(app: Flask, static_folder: Path, https: bool) -> None:
    """Serve /static, set the headers on every answer; over https, HSTS and `__Host-` cookies."""
    app.static_folder = str(static_folder)
    if "static" not in app.view_functions:  # Flask adds it only for a folder known at birth
        app.add_url_rule(
            f"{app.static_url_path}/<path:filename>",
            endpoint="static",
            view_func=app.send_static_file,
        )
    if https:
        app.config.update(
            SESSION_COOKIE_NAME="__Host-rbm-session",
            SESSION_COOKIE_SECURE=True,
            SESSION_COOKIE_PATH="/",
            SESSION_COOKIE_DOMAIN=None,
        )

    @app.after_request
    def _protect(response):
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        if https:
            response.headers.setdefault("Strict-Transport-Security", HSTS)
        return response
