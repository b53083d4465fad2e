"""Celery as configured in code (storefront/celery.py): queues by kind, retries with backoff, the beat schedule."""

import pytest

from storefront.celery import app


@pytest.fixture(autouse=True, scope="module")
def _tasks_registered():
    app.loader.import_default_modules()  # every app's tasks registered, as in a worker


def _queue(task_name: str) -> str:
    return app.amqp.router.route({}, task_name)["queue"].name


@pytest.mark.parametrize(
    ("task_name", "queue"),
    [
        ("storefront.notifications.tasks.notification_deliver", "notifications"),
        ("payments.tasks.payment_notification_process", "partners"),
        ("payments.tasks.payments_poll_open", "partners"),
        ("logistics.postal.tasks.tracking_sync", "partners"),
        ("logistics.postal.tasks.parcels_register", "partners"),
        ("storefront.outbox.tasks.outbox_relay", "default"),
        ("orders.tasks.order_placed_notify", "default"),
    ],
)
def test_each_kind_of_task_goes_to_its_queue(task_name, queue):
    assert task_name in app.tasks
    assert _queue(task_name) == queue


def test_the_worker_queues_are_default_notifications_and_partners():
    assert {q.name for q in app.conf.task_queues} == {"default", "notifications", "partners"}
    assert app.conf.task_default_queue == "default"


@pytest.mark.parametrize(
    "task_name",
    [
        "storefront.notifications.tasks.notification_deliver",
        "payments.tasks.payment_notification_process",
        "payments.tasks.payment_capture_process",
        "logistics.postal.tasks.parcels_react",
        "orders.tasks.order_placed_notify",
    ],
)
def test_tasks_that_reach_outside_retry_with_backoff(task_name):
    task = app.tasks[task_name]
    assert task.autoretry_for
    assert task.retry_backoff
    assert task.max_retries and task.max_retries > 1


def test_every_beat_entry_names_a_registered_task():
    schedule = app.conf.beat_schedule
    assert {"outbox-relay", "payments-poll-open", "payments-abandoned", "postal-tracking-sync"} <= set(schedule)
    assert [name for name, entry in schedule.items() if entry["task"] not in app.tasks] == []
