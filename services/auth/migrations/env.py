"""Alembic environment of the auth schema (the body is the kit's)."""

from pind_auth.models import SCHEMA, Base
from pind_kit.migrations import run_alembic_env

run_alembic_env(target_metadata=Base.metadata, schema=SCHEMA)
