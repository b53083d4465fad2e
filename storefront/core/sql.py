"""Rows written by one composed SQL statement (a chain of data-modifying CTEs): one round trip, one transaction.

On this machine every statement sent to PostgreSQL costs ~0.25 ms of CPU before it does anything (the Python client
and the server's syscalls, parse, plan), and a transaction adds BEGIN and COMMIT. A write that touches several rows
in several tables (placing an order) is therefore sent as one statement. The rows are still described by their
models: `insert_select` builds the INSERT from an unsaved instance, so its own `__init__` applies the defaults and
every field's `get_db_prep_save` prepares its value exactly as `save()` would; only the columns whose value the
statement itself produces (the id of a row inserted by an earlier CTE) are given as SQL.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from django.db import connection
from django.db.models import Model


def insert_select(
    obj: Model, *, refs: Mapping[str, str | tuple[str, Sequence]], sources: Sequence[str], returning: str = "id"
) -> tuple[str, list]:
    """(sql, params) of `INSERT INTO <obj's table> (...) SELECT ... FROM <sources> RETURNING <returning>`.

    `refs`: {field attname: SQL expression over `sources`, or (expression, its parameters)} for the columns the
    statement fills in (e.g. {"order_id": "placed_order.id"}); every other concrete field takes the instance's value
    as a parameter. The primary key is left to its sequence unless set on the instance. `sources` are CTE names of
    one row each."""
    meta = obj._meta
    qn = connection.ops.quote_name
    columns, values, params = [], [], []
    for field in meta.concrete_fields:
        if field.attname in refs:
            expression = refs[field.attname]
            if isinstance(expression, tuple):
                expression, expression_params = expression
                params.extend(expression_params)
            columns.append(qn(field.column))
            values.append(expression)
            continue
        if field.primary_key and getattr(obj, field.attname) is None:
            continue
        columns.append(qn(field.column))
        values.append("%s")
        params.append(field.get_db_prep_save(field.pre_save(obj, add=True), connection))
    unknown = set(refs) - {f.attname for f in meta.concrete_fields}
    if unknown:
        raise ValueError(f"{meta.label} has no columns {sorted(unknown)}")
    sql = f"INSERT INTO {qn(meta.db_table)} ({', '.join(columns)}) SELECT {', '.join(values)}"
    if sources:
        sql += f" FROM {', '.join(sources)}"
    if returning:
        sql += f" RETURNING {returning}"
    return sql, params
