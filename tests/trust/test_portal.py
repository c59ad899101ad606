"""The portal against a hostile browser: redirects only to this site, a strict CSP and friends
on every page, secure cookies over https, and signing out that ends the session on the server."""

from __future__ import annotations

import re

import pytest
import requests

from common.config import from_env
from services.portal.app import create_app
from services.portal.security import CONTENT_SECURITY_POLICY

CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def sign_in(live, next_: str = "", username: str = "reporter1") -> requests.Response:
    """POST /login (with `next` exactly as written in the URL) from a fresh browser."""
    browser = requests.Session()
    form = browser.get(f"{live.url}/login", timeout=30).text
    body = {"csrf": CSRF.search(form)[1], "username": username, "password": "demo-password"}
    resp = browser.post(
        f"{live.url}/login{'?next=' + next_ if next_ else ''}",
        data=body,
        allow_redirects=False,
        timeout=30,
    )
    resp.browser = browser
    return resp


@pytest.mark.parametrize(
    "hostile",
    [
        "/%09/evil.example",
        "/%0d%0a/evil.example",
        "/%5Cevil.example",
        "/%5C%5Cevil.example",
        "//evil.example",
        "/%2F/evil.example",
        "/%252F/evil.example",
        "%2F%2Fevil.example",
        "https://evil.example",
        "https:evil.example",
        "javascript:alert(1)",
        "evil.example",
    ],
)
def test_next_never_leads_to_another_site(live, hostile):
    resp = sign_in(live, hostile)
    assert resp.status_code == 302
    assert resp.headers["Location"] in ("/", f"{live.url}/")


def test_next_leads_back_to_a_page_of_this_site(live):
    resp = sign_in(live, "/progress%3Fyear%3D2547")
    assert resp.headers["Location"].endswith("/progress?year=2547")


PAGES = ["/", "/progress", "/kpis", "/inbox"]


def test_every_page_sends_a_strict_content_security_policy(live):
    browser = sign_in(live).browser
    for path in ["/login", *PAGES]:
        resp = browser.get(f"{live.url}{path}", timeout=30)
        assert resp.status_code == 200, path
        policy = resp.headers["Content-Security-Policy"]
        assert "unsafe-inline" not in policy and "frame-ancestors 'none'" in policy, path
        assert resp.headers["X-Content-Type-Options"] == "nosniff", path
        assert resp.headers["Referrer-Policy"] == "same-origin", path
        html = resp.text
        assert not re.search(r"<script(?![^>]*\bsrc=)", html), path
        assert not re.search(r"<style|\sstyle=|\son[a-z]+=", html), path
    css = browser.get(f"{live.url}/static/portal.css", timeout=30)
    assert css.ok and css.headers["Content-Type"].startswith("text/css")


def test_over_https_the_portal_asks_for_hsts_and_host_only_secure_cookies(live, tmp_path):
    env = {**live.env, "RBM_DATA_DIR": str(tmp_path), "RBM_PUBLIC_URL": "https://rbm.example"}
    portal = create_app(from_env("portal", env)).test_client()
    page = portal.get("/login")
    assert page.headers["Strict-Transport-Security"].startswith("max-age=")
    assert page.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    cookie = page.headers["Set-Cookie"]
    assert cookie.startswith("__Host-") and "Secure" in cookie and "Path=/" in cookie
    assert "Domain" not in cookie


def test_plain_http_sends_no_hsts(live):
    assert "Strict-Transport-Security" not in requests.get(f"{live.url}/login", timeout=30).headers


def test_signing_out_ends_the_session_on_the_server(live):
    browser = sign_in(live).browser
    copied = dict(browser.cookies)
    home = browser.get(f"{live.url}/", timeout=30)
    csrf = CSRF.search(home.text)[1]
    assert browser.post(f"{live.url}/logout", data={"csrf": csrf}, timeout=30).ok
    thief = requests.Session()
    thief.cookies.update(copied)
    again = thief.get(f"{live.url}/", allow_redirects=False, timeout=30)
    assert again.status_code == 302 and "/login" in again.headers["Location"]
