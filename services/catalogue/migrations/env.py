from common.db import run_migrations
from services.catalogue.models import Base

run_migrations(Base.metadata)
