"""SQL building blocks the repositories share."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import ARRAY, Table, TableValuedAlias, bindparam, column, func
from sqlalchemy.types import TypeEngine


def unnest(columns: Mapping[str, TypeEngine[Any]], *, suffix: str = "") -> TableValuedAlias:
    """``unnest(:a<suffix>, :b<suffix>, ...) AS (a, b, ...)``: rows from one
    array parameter per column. A statement built on it runs once whatever the
    number of rows, and its text does not depend on it (built once, compiled
    once). A ``suffix`` keeps the parameters apart from the columns of an
    UPDATE, which would otherwise take same-named parameters as new values."""
    arrays = [bindparam(name + suffix, type_=ARRAY(kind)) for name, kind in columns.items()]
    return (
        func.unnest(*arrays)
        .table_valued(*(column(name, kind) for name, kind in columns.items()))
        .render_derived()
    )


def types_of(table: Table, *names: str) -> dict[str, TypeEngine[Any]]:
    """The columns ``names`` of ``table`` with their types, for :func:`unnest`."""
    return {name: table.c[name].type for name in names}
