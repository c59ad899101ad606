"""Use cases of the catalogue: plain functions taking a Session (and a Principal for writes)."""
