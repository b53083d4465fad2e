"""storefront.core.sql: rows composed into one statement, a row read without a queryset."""

import pytest
from django.db import DataError, connection

from storefront.core.sql import PSYCOPG_CACHED_STATEMENT_LENGTH, insert_select, row_get
from storefront.outbox.models import OutboxJob
from storefront.outbox.services import outbox_job_new

pytestmark = pytest.mark.django_db


def _run(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


def test_an_inserted_row_has_the_models_defaults_and_the_statements_own_values():
    job = outbox_job_new(task="orders.tasks.order_placed_notify", kwargs={}, key="k-1")
    sql, params = insert_select(job, refs={"kwargs": ("jsonb_build_object('order_id', %s::bigint)", [42])}, sources=[])

    (pk,) = _run(sql, params)

    row = OutboxJob.objects.get(pk=pk)
    assert row.kwargs == {"order_id": 42}  # from the statement
    assert (row.key, row.task, row.args, row.queue, row.attempts) == ("k-1", job.task, [], "", 0)  # the model's
    assert row.relayed_at is None and row.available_at == job.available_at


def test_a_value_too_long_for_its_column_fails_instead_of_being_cut():
    job = outbox_job_new(task="orders.tasks.order_placed_notify", kwargs={}, key="k" * 500)

    with pytest.raises(DataError):
        _run(*insert_select(job, refs={}, sources=[]))


def test_a_ref_to_a_column_the_model_does_not_have_is_refused():
    job = outbox_job_new(task="orders.tasks.order_placed_notify", kwargs={}, key="k-2")

    with pytest.raises(ValueError, match="no columns"):
        insert_select(job, refs={"order_id": "1"}, sources=[])


def test_row_get_loads_the_row_as_the_orm_does():
    job = OutboxJob.objects.create(task="orders.tasks.order_placed_notify", kwargs={"a": [1, 2]}, key="k-3")

    found = row_get(OutboxJob, where="key = %s", params=["k-3"])

    assert found == job
    assert (found.kwargs, found.args, found.available_at) == ({"a": [1, 2]}, [], job.available_at)
    assert row_get(OutboxJob, where="key = %s", params=["none"]) is None


def test_the_driver_keeps_the_parse_of_long_statements():
    from psycopg import _queries

    assert _queries.MAX_CACHED_STATEMENT_LENGTH >= PSYCOPG_CACHED_STATEMENT_LENGTH


def test_values_are_prepared_as_save_would_prepare_them():
    from django.utils.translation import gettext_lazy

    job = outbox_job_new(task="orders.tasks.order_placed_notify", kwargs={"n": [1, "два"]}, key="k-4")
    job.last_error = gettext_lazy("Не найдено")  # lazy text: rendered, not handed to the driver as an object
    job.attempts = 3

    (pk,) = _run(*insert_select(job, refs={}, sources=[]))

    row = OutboxJob.objects.get(pk=pk)
    assert (row.kwargs, row.last_error, row.attempts) == ({"n": [1, "два"]}, "Не найдено", 3)


def test_an_expression_is_refused_rather_than_written_as_text():
    from django.db.models import F

    job = outbox_job_new(task="orders.tasks.order_placed_notify", kwargs={}, key="k-5")
    job.attempts = F("attempts") + 1

    with pytest.raises(ValueError, match="not expressions"):
        insert_select(job, refs={}, sources=[])
