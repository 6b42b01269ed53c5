"""Alembic environment of the gateway schema (run with `pind-gateway migrate`)."""

from pind_gateway.core.models import SCHEMA, Base
from pind_kit.migrations import run_alembic_env

run_alembic_env(target_metadata=Base.metadata, schema=SCHEMA)
