"""The versions of each KPI's form template: version 1 ships with the code, admins add more."""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from common.errors import NotFound
from services.evidence.forms.build_templates import FIXED_TIME, TEMPLATES
from services.evidence.models import TemplateVersion
from services.evidence.store import ObjectStore

BUILTIN_AUTHOR = "rbm"


@dataclass(frozen=True)
class Version:
    """One version of a KPI's template, built in or uploaded."""

    kpi: str
    version: int
    filename: str
    size: int
    sha256: str
    created_by: str
    created_at: datetime
    builtin: bool


class TemplateLibrary:
    """Finds template sources; their bytes never change, so they are kept once read."""

    def __init__(self, store: ObjectStore, builtin_dir: Path = TEMPLATES):
        self.store = store
        self.builtin_dir = builtin_dir
        self._cache: dict[tuple[str, int], bytes] = {}
        self._lock = threading.Lock()

    def _builtin(self, kpi: str) -> Path | None:
        path = self.builtin_dir / f"{kpi}.docx"
        return path if path.is_file() else None

    def versions(self, session: Session, kpi: str) -> list[Version]:
        """Every version of the KPI's template, oldest first; [] when it has no form."""
        found = []
        if path := self._builtin(kpi):
            data = path.read_bytes()
            found.append(
                Version(
                    kpi=kpi,
                    version=1,
                    filename=path.name,
                    size=len(data),
                    sha256=hashlib.sha256(data).hexdigest(),
                    created_by=BUILTIN_AUTHOR,
                    created_at=FIXED_TIME,
                    builtin=True,
                )
            )
        rows = session.scalars(
            select(TemplateVersion)
            .where(TemplateVersion.kpi == kpi)
            .order_by(TemplateVersion.version)
        )
        found.extend(
            Version(
                kpi=row.kpi,
                version=row.version,
                filename=row.filename,
                size=row.size,
                sha256=row.sha256,
                created_by=row.created_by,
                created_at=row.created_at,
                builtin=False,
            )
            for row in rows
        )
        return found

    def kpis(self, session: Session) -> list[str]:
        built_in = {path.stem for path in self.builtin_dir.glob("*.docx")}
        uploaded = set(session.scalars(select(TemplateVersion.kpi).distinct()))
        return sorted(built_in | uploaded, key=lambda code: tuple(map(int, code.split("."))))

    def next_version(self, session: Session, kpi: str) -> int:
        newest = session.scalar(
            select(func.max(TemplateVersion.version)).where(TemplateVersion.kpi == kpi)
        )
        return max(newest or 0, 1 if self._builtin(kpi) else 0) + 1

    def source(
        self, session: Session, kpi: str, version: int | None = None
    ) -> tuple[Version, bytes]:
        """A version's template bytes (the newest when `version` is None); 404 if none."""
        versions = self.versions(session, kpi)
        chosen = versions[-1] if versions and version is None else None
        chosen = chosen or next((v for v in versions if v.version == version), None)
        if chosen is None:
            raise NotFound(
                f"KPI {kpi} has no form template" + (f" version {version}." if version else ".")
            )
        key = (kpi, chosen.version)
        with self._lock:
            cached = self._cache.get(key)
        if cached is None:
            if chosen.builtin:
                cached = self._builtin(kpi).read_bytes()
            else:
                row = session.get(TemplateVersion, key)
                cached = self.store.read_verified(row.object_key, row.object_version, row.sha256)
            with self._lock:
                self._cache[key] = cached
        return chosen, cached
