"""What evidence's routes are given besides its database, built by its composition root."""

from __future__ import annotations

from dataclasses import dataclass

from celery import Celery

from common.clients import ServiceClient
from services.evidence.forms.library import TemplateLibrary
from services.evidence.store import ObjectStore
from services.evidence.worker import PackQueue


@dataclass(frozen=True)
class Dependencies:
    """The bucket files and packs go to, the form templates kept in it, the services a form is
    prefilled from, and the Celery app (with its queue) that builds evidence packs."""

    store: ObjectStore
    templates: TemplateLibrary
    catalogue: ServiceClient
    identity: ServiceClient
    celery: Celery
    pack_queue: PackQueue
