"""Events evidence publishes: ids and facts about a stored file, never its bytes."""

from dataclasses import dataclass

from common.events import Event


@dataclass(frozen=True)
class FileStored(Event):
    routing_key = "evidence.file.stored"

    file_id: str
    unit: str
    year: int
    kpi: str
    period: str
    sha256: str
    size: int
    uploaded_by: str
    version: int
    previous_id: str | None


@dataclass(frozen=True)
class PackFinished(Event):
    """A pack asked for is built (`ready`) or could not be (`failed`): its taker is told."""

    routing_key = "evidence.pack.finished"

    pack_id: str
    requested_by: str
    state: str
    year: int
    unit: str | None
    kpi: str | None
    period: str | None
