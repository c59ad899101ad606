from common.db import run_migrations
from services.workflow.models import Base

run_migrations(Base.metadata)
