"""Calls from one service to another over HTTP: timeout, request id, a clear 503 when down."""

from __future__ import annotations

import time
from typing import Any

import requests

from common.config import Settings
from common.errors import NotFound, Unavailable
from common.logging import REQUEST_ID_HEADER, current_request_id
from common.secrets import service_password


class ServiceClient:
    """JSON GETs against another service, on behalf of the caller or of this service itself."""

    def __init__(self, settings: Settings, service: str):
        self.settings = settings
        self.base = settings.service_url(service)
        self.service = service
        self.timeout = settings.http_timeout
        self.http = requests.Session()
        self._own_token: tuple[str, float] | None = None

    def service_token(self) -> str:
        """A token of this service's own `svc-<name>` account, renewed before it expires."""
        if self._own_token is None or self._own_token[1] < time.monotonic():
            name = self.settings.service
            body = {"username": f"svc-{name}", "password": service_password(self.settings, name)}
            try:
                resp = self.http.post(
                    f"{self.settings.service_url('identity')}/token",
                    json=body,
                    timeout=self.timeout,
                )
                resp.raise_for_status()
            except requests.RequestException as exc:
                raise Unavailable("The identity service did not issue a service token.") from exc
            data = resp.json()
            self._own_token = (data["access_token"], time.monotonic() + data["expires_in"] / 2)
        return self._own_token[0]

    def call(self, method: str, path: str, token: str | None = None, **kwargs: Any):
        """The raw response of any request; Unavailable only when the service does not answer.

        Without `token` the call is made on this service's own account. `headers` and `timeout`
        may be given (a streamed upload names its content type and waits longer).
        """
        headers = {
            **kwargs.pop("headers", {}),
            "Authorization": f"Bearer {token or self.service_token()}",
        }
        if rid := current_request_id():
            headers[REQUEST_ID_HEADER] = rid
        kwargs.setdefault("timeout", self.timeout)
        try:
            return self.http.request(method, f"{self.base}{path}", headers=headers, **kwargs)
        except requests.RequestException as exc:
            raise Unavailable(f"The {self.service} service did not answer.") from exc

    def get(self, path: str, token: str | None = None, **params: Any) -> Any:
        """The decoded JSON body; NotFound for a 404, Unavailable for any other failure."""
        resp = self.call("GET", path, token, params=params)
        if resp.status_code == 404:
            raise NotFound(f"{self.service}: {path} not found.")
        if resp.status_code >= 400:
            raise Unavailable(f"The {self.service} service answered {resp.status_code} for {path}.")
        return resp.json()
