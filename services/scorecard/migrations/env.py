from common.db import run_migrations
from services.scorecard.models import Base

run_migrations(Base.metadata)
