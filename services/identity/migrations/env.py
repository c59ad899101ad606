from common.db import run_migrations
from services.identity.models import Base

run_migrations(Base.metadata)
