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
