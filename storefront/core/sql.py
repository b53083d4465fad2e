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
from datetime import datetime
from decimal import Decimal
from functools import lru_cache

from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.models import DateField, Field, Model
from psycopg import _queries as psycopg_queries  # the driver's statement cache limits (below)

# psycopg parses a statement for its placeholders and caches the result, but only for statements of at most 4,096
# characters and 50 parameters (psycopg._queries). The statement that places an order is ~7,000 characters with
# ~110 parameters, sent at checkout rate, and parsing it costs ~0.4 ms of CPU each time. Statements up to these
# sizes are cached instead (the cache keeps the 128 most recent; the placing statement has a few shapes).
PSYCOPG_CACHED_STATEMENT_LENGTH = 16_384
PSYCOPG_CACHED_STATEMENT_PARAMS = 256


def psycopg_statement_cache_widen() -> None:
    """Called once at start-up (CoreConfig.ready). A psycopg without these module settings is left as it is."""
    if hasattr(psycopg_queries, "MAX_CACHED_STATEMENT_LENGTH") and hasattr(
        psycopg_queries, "MAX_CACHED_STATEMENT_PARAMS"
    ):
        psycopg_queries.MAX_CACHED_STATEMENT_LENGTH = max(
            psycopg_queries.MAX_CACHED_STATEMENT_LENGTH, PSYCOPG_CACHED_STATEMENT_LENGTH
        )
        psycopg_queries.MAX_CACHED_STATEMENT_PARAMS = max(
            psycopg_queries.MAX_CACHED_STATEMENT_PARAMS, PSYCOPG_CACHED_STATEMENT_PARAMS
        )


def insert_select(
    obj: Model, *, refs: Mapping[str, str | tuple[str, Sequence]], sources: Sequence[str], returning: str = "id"
) -> tuple[str, list]:
    """(sql, params) of `INSERT INTO <obj's table> (...) SELECT ... FROM <sources> RETURNING <returning>`.

    `refs`: {field attname: SQL expression over `sources`, or (expression, its typed parameters)} for the columns the
    statement fills in (e.g. {"order_id": "placed_order.id"}); every other concrete field takes the instance's value
    as a parameter. The primary key is left to its sequence unless set on the instance. `sources` are CTE names of
    one row each."""
    expressions = {name: ref[0] if isinstance(ref, tuple) else ref for name, ref in refs.items()}
    sql, plan = _insert_plan(
        type(obj),
        tuple(expressions.items()),
        tuple(sources),
        returning,
        obj.pk is None and obj._meta.pk.attname not in refs,
    )
    db = connections[DEFAULT_DB_ALIAS]  # once: the `connection` proxy looks itself up on every attribute
    params = []
    for step in plan:
        if isinstance(step, str):  # a ref's own parameters
            ref = refs[step]
            if isinstance(ref, tuple):
                params.extend(ref[1])
            continue
        field, pre_save, plain = step
        value = field.pre_save(obj, add=True) if pre_save else getattr(obj, field.attname)
        if hasattr(value, "resolve_expression"):  # F(), Value(), a database default: save() would compile them
            raise ValueError(f"insert_select takes values, not expressions ({field.name})")
        # None and values Django's preparation would hand over unchanged (str for text, int, bool, Decimal) go as
        # they are; anything else (JSON, dates, lazy text) through the field's get_db_prep_save, as save() does
        if value is None or (type(value) in plain and _as_is(value)):
            params.append(value)
        else:
            params.append(field.get_db_prep_save(value, db))
    return sql, params


# Per internal type, the Python types whose value get_db_prep_save returns unchanged on PostgreSQL.
_PLAIN_TYPES = {
    **dict.fromkeys(("CharField", "TextField", "EmailField", "SlugField", "URLField"), frozenset({str})),
    **dict.fromkeys(
        (
            "IntegerField",
            "BigIntegerField",
            "SmallIntegerField",
            "PositiveIntegerField",
            "PositiveSmallIntegerField",
            "PositiveBigIntegerField",
            "AutoField",
            "BigAutoField",
            "ForeignKey",
            "OneToOneField",
        ),
        frozenset({int}),
    ),
    "BooleanField": frozenset({bool}),
    "DecimalField": frozenset({Decimal}),
    "DateTimeField": frozenset({datetime}),  # aware ones (checked where used): naive ones get Django's conversion
}


def _as_is(value) -> bool:
    """Among the plain types, the values Django would not have to check: aware datetimes, finite decimals."""
    if type(value) is datetime:
        return value.tzinfo is not None
    if type(value) is Decimal:
        return value.is_finite()
    return True


def _needs_pre_save(field) -> bool:
    """Whether the field computes its value when saved (auto_now dates, files): else the attribute is the value."""
    return type(field).pre_save is not Field.pre_save and (
        not isinstance(field, DateField) or field.auto_now or field.auto_now_add
    )


def _param_type(field) -> str:
    """The parameter's SQL type (the statement may be prepared: the server must know it): the column's, without a
    length or precision, so a value too long fails on the column instead of being cut by the cast."""
    db_type = field.db_type(connection) or "text"
    db_type = db_type.split("(", 1)[0].strip()
    return "text" if db_type in ("varchar", "char") else db_type


@lru_cache(maxsize=256)
def _insert_plan(model: type[Model], refs: tuple, sources: tuple, returning: str, pk_from_sequence: bool):
    """The SQL of insert_select for this model and these refs, and what fills its parameters in order: a field (its
    value from the instance) or a ref's attname (that ref's own parameters)."""
    meta = model._meta
    qn = connection.ops.quote_name
    expressions = dict(refs)
    unknown = set(expressions) - {f.attname for f in meta.concrete_fields}
    if unknown:
        raise ValueError(f"{meta.label} has no columns {sorted(unknown)}")
    columns, values, plan = [], [], []
    for field in meta.concrete_fields:
        if field.attname in expressions:
            columns.append(qn(field.column))
            values.append(expressions[field.attname])
            plan.append(field.attname)
            continue
        if (field.primary_key and pk_from_sequence) or getattr(field, "generated", False):
            continue  # the sequence's, the database's
        columns.append(qn(field.column))
        values.append(f"%s::{_param_type(field)}")
        plan.append((field, _needs_pre_save(field), _PLAIN_TYPES.get(field.get_internal_type(), frozenset())))
    sql = f"INSERT INTO {qn(meta.db_table)} ({', '.join(columns)}) SELECT {', '.join(values)}"
    if sources:
        sql += f" FROM {', '.join(sources)}"
    if returning:
        sql += f" RETURNING {returning}"
    return sql, tuple(plan)


def row_get(model: type[Model], *, where: str, params: Sequence) -> Model | None:
    """The first row of `model` matching a plain SQL `where` (its own columns), loaded as the ORM would load it, for
    a lookup a hot path makes on every request: a queryset's compilation costs ~0.5 ms of CPU here, the statement
    itself ~0.15 ms."""
    sql, attnames = _select_plan(model)
    with connection.cursor() as cursor:
        cursor.execute(f"{sql} WHERE {where} LIMIT 1", params)
        row = cursor.fetchone()
    if row is None:
        return None
    return instance_loaded(model, dict(zip(attnames, row, strict=True)))


def instance_loaded(model: type[Model], values: Mapping[str, object]) -> Model:
    """An instance as the ORM loads one, from {attname: value as the database returned it} (each field's
    from_db_value applied: JSON parsed); fields not given load when first read."""
    fields = [f for f in model._meta.concrete_fields if f.attname in values]
    converted = [
        f.from_db_value(values[f.attname], None, connection) if hasattr(f, "from_db_value") else values[f.attname]
        for f in fields
    ]
    return model.from_db(connection.alias, [f.attname for f in fields], converted)


@lru_cache(maxsize=64)
def _select_plan(model: type[Model]) -> tuple[str, tuple[str, ...]]:
    qn = connection.ops.quote_name
    fields = model._meta.concrete_fields
    columns = ", ".join(qn(f.column) for f in fields)
    return f"SELECT {columns} FROM {qn(model._meta.db_table)}", tuple(f.attname for f in fields)
