"""The relay against a real Redis of our own that we stop and start; a real worker runs the jobs."""

import pytest
import redis
from django.core.management import call_command
from django.db import transaction

from storefront.outbox.models import JobExecution, OutboxJob
from storefront.outbox.services import outbox_enqueue, outbox_relay
from tests.workers import celery_worker, wait_for

from .jobs import effects, record_effect

pytestmark = pytest.mark.django_db(transaction=True)


def _commit_jobs(*marks: str) -> None:
    for mark in marks:
        with transaction.atomic():
            outbox_enqueue(task=record_effect.name, kwargs={"mark": mark}, key=f"effect-{mark}")


def test_relay_with_the_broker_down_records_the_error_and_keeps_every_job(broker, relay_app):
    broker.stop()
    _commit_jobs("a", "b")

    result = outbox_relay(celery_app=relay_app)

    assert (result.sent, result.failed) == (0, 1)
    assert "broker unreachable" in result.error
    jobs = list(OutboxJob.objects.order_by("id"))
    assert [job.relayed_at for job in jobs] == [None, None]
    assert "broker unreachable" in jobs[0].last_error


def test_jobs_committed_while_the_broker_was_down_run_exactly_once_after_it_returns(
    broker, relay_app, effect_table, tmp_path
):
    broker.stop()
    _commit_jobs("a", "b", "c")
    assert outbox_relay(celery_app=relay_app).sent == 0
    broker.start()

    assert outbox_relay(celery_app=relay_app).sent == 3
    assert outbox_relay(celery_app=relay_app).sent == 0
    with celery_worker(app="tests.outbox.jobs", queues="default", broker_url=broker.url, log=tmp_path / "w.log"):
        wait_for(lambda: len(effects()) == 3, what="three effects")

    assert effects() == ["a", "b", "c"]
    assert not OutboxJob.objects.filter(relayed_at__isnull=True).exists()


def test_a_job_delivered_twice_has_its_effect_once(broker, relay_app, effect_table, tmp_path):
    _commit_jobs("a", "b")
    outbox_relay(celery_app=relay_app)
    OutboxJob.objects.update(relayed_at=None)  # as if the commit after the send had been lost
    outbox_relay(celery_app=relay_app)
    relay_app.send_task(record_effect.name, kwargs={"mark": "a"}, task_id="effect-a")  # a broker redelivery
    _commit_jobs("z")  # queued after every duplicate: once it ran, so did they (one solo worker, FIFO)
    outbox_relay(celery_app=relay_app)

    with celery_worker(app="tests.outbox.jobs", queues="default", broker_url=broker.url, log=tmp_path / "w.log"):
        wait_for(lambda: "z" in effects(), what="the last job")

    assert effects() == ["a", "b", "z"]
    assert sorted(JobExecution.objects.values_list("key", flat=True)) == ["effect-a", "effect-b", "effect-z"]


def test_management_command_relays_pending_jobs_to_the_configured_broker(settings, capsys):
    _commit_jobs("a")

    call_command("outbox_relay")

    assert capsys.readouterr().out.strip() == "sent 1, failed 0"
    assert redis.Redis.from_url(settings.CELERY_BROKER_URL).llen("default") == 1
