"""Alembic environment of geo: schema `geo` (analyses, their inputs, kit tables)."""

from pind_geo.models import metadata
from pind_kit.migrations import run_alembic_env

run_alembic_env(target_metadata=metadata, schema="geo")
