"""Calls from one service to another over HTTP: timeout, request id, a clear 503 when down."""

from __future__ import annotations

from typing import Any

import requests

from common.config import Settings
from common.errors import NotFound, Unavailable
from common.logging import REQUEST_ID_HEADER, current_request_id


class ServiceClient:
    """JSON GETs against another service, on behalf of the caller's token."""

    def __init__(self, settings: Settings, service: str):
        self.base = settings.service_url(service)
        self.service = service
        self.timeout = settings.http_timeout
        self.http = requests.Session()

    def get(self, path: str, token: str | None = None, **params: Any) -> Any:
        """The decoded JSON body; NotFound for a 404, Unavailable when the service is down."""
        headers = {}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        if rid := current_request_id():
            headers[REQUEST_ID_HEADER] = rid
        try:
            resp = self.http.get(
                f"{self.base}{path}", params=params, headers=headers, timeout=self.timeout
            )
        except requests.RequestException as exc:
            raise Unavailable(f"The {self.service} service did not answer.") from exc
        if resp.status_code == 404:
            raise NotFound(f"{self.service}: {path} not found.")
        if resp.status_code >= 400:
            raise Unavailable(f"The {self.service} service answered {resp.status_code} for {path}.")
        return resp.json()
