from common.db import run_migrations
from services.evidence.models import Base

run_migrations(Base.metadata)
