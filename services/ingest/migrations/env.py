"""Alembic environment of ingest: schema `ingest` holds only the kit's tables."""

from pind_kit.db import service_metadata
from pind_kit.migrations import run_alembic_env

run_alembic_env(target_metadata=service_metadata("ingest"), schema="ingest")
