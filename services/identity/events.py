"""Events published by identity: other services keep the people they need from these."""

from dataclasses import dataclass

from common.events import Event


@dataclass(frozen=True)
class UserChanged(Event):
    routing_key = "identity.user.changed"

    user_id: str
    username: str
    display_name: str
    email: str
    active: bool
    memberships: list[dict[str, str]]
