"""Made-up key ids cost identity nothing: a token whose `kid` no key has makes a verifier fetch
the key set at most once every few seconds, whatever the traffic; in between it is refused
(401) without a fetch. A verifier here reads identity's real JWKS through a counting relay."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt
import pytest
import requests

from common.auth import AUDIENCE, ISSUER, KEY_REFETCH_SECONDS, TokenVerifier, new_private_key_pem
from common.errors import Unauthorized

FORGER_KEY = new_private_key_pem()


class CountingRelay:
    """Passes GETs on to identity's JWKS and counts them."""

    def __init__(self, jwks_url: str):
        self.fetches = 0
        relay = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - the name http.server calls
                relay.fetches += 1
                body = requests.get(jwks_url, timeout=10).content
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                """Quiet."""

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/jwks.json"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def relay(live) -> Iterator[CountingRelay]:
    relay = CountingRelay(f"{live.url}/api/identity/jwks.json")
    yield relay
    relay.server.shutdown()


def forged(kid: str) -> str:
    claims = {"iss": ISSUER, "aud": AUDIENCE, "sub": "x", "exp": int(time.time()) + 60}
    return jwt.encode(claims, FORGER_KEY, algorithm="RS256", headers={"kid": kid})


def refused(verifier: TokenVerifier, token: str) -> bool:
    try:
        verifier.verify(token)
    except Unauthorized:
        return True
    return False


def test_twenty_random_key_ids_cost_at_most_one_fetch(relay):
    verifier = TokenVerifier(relay.url)
    assert all(refused(verifier, forged(uuid.uuid4().hex)) for _ in range(20))
    assert relay.fetches <= 1


def test_twenty_random_key_ids_at_once_cost_at_most_one_fetch(relay):
    verifier = TokenVerifier(relay.url)
    tokens = [forged(uuid.uuid4().hex) for _ in range(20)]
    answers: list[bool] = []
    threads = [
        threading.Thread(target=lambda t=t: answers.append(refused(verifier, t))) for t in tokens
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answers == [True] * 20
    assert relay.fetches <= 1


def test_a_real_token_verifies_after_a_flood_of_made_up_key_ids(live, relay):
    verifier = TokenVerifier(relay.url)
    for _ in range(20):
        refused(verifier, forged(uuid.uuid4().hex))
    assert verifier.verify(live.token("reporter1")).username == "reporter1"
    assert relay.fetches == 1


def test_an_unknown_key_id_is_looked_up_again_after_the_pause(relay):
    verifier = TokenVerifier(relay.url, refetch_seconds=0.2)
    refused(verifier, forged("first"))
    time.sleep(0.3)
    refused(verifier, forged("second"))
    assert relay.fetches == 2
    assert KEY_REFETCH_SECONDS <= 10  # a new signing key is fetched within seconds
