"""A job for the outbox tests: records its effect in a plain table, so a second run would show."""

import django

django.setup()  # `celery -A tests.outbox.jobs worker` imports this before Django is set up

from django.db import connection  # noqa: E402

from storefront.celery import app  # noqa: E402
from storefront.outbox.jobs import idempotent_job  # noqa: E402

EFFECT_TABLE = "test_outbox_effect"


@app.task(name="tests.outbox.record_effect")
@idempotent_job
def record_effect(*, mark: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {EFFECT_TABLE} (mark) VALUES (%s)", [mark])


def effects() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT mark FROM {EFFECT_TABLE} ORDER BY mark")
        return [row[0] for row in cursor.fetchall()]
