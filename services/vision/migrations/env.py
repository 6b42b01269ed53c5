"""Alembic environment of vision: schema `vision` holds only the kit's tables."""

from pind_kit.db import service_metadata
from pind_kit.migrations import run_alembic_env

run_alembic_env(target_metadata=service_metadata("vision"), schema="vision")
