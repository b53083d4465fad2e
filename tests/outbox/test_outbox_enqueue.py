import pytest
from django.db import transaction
from django.db.transaction import TransactionManagementError

from storefront.outbox.models import OutboxJob
from storefront.outbox.services import outbox_enqueue

from .jobs import record_effect

pytestmark = pytest.mark.django_db(transaction=True)


def test_enqueue_outside_a_transaction_fails_loudly():
    with pytest.raises(TransactionManagementError):
        outbox_enqueue(task=record_effect.name, kwargs={"mark": "a"})


def test_enqueued_job_disappears_with_a_rolled_back_transaction():
    with pytest.raises(RuntimeError), transaction.atomic():
        outbox_enqueue(task=record_effect.name, kwargs={"mark": "a"})
        raise RuntimeError("the caller's write failed")
    assert not OutboxJob.objects.exists()


def test_enqueue_with_the_same_key_keeps_one_job_and_the_callers_transaction_usable():
    with transaction.atomic():
        first = outbox_enqueue(task=record_effect.name, kwargs={"mark": "a"}, key="k1")
        second = outbox_enqueue(task=record_effect.name, kwargs={"mark": "b"}, key="k1")
        OutboxJob.objects.count()  # the transaction still works after the duplicate
    assert second.id == first.id
    assert list(OutboxJob.objects.values_list("kwargs", flat=True)) == [{"mark": "a"}]


def test_enqueue_of_an_unknown_task_name_fails():
    with pytest.raises(ValueError, match="unknown Celery task"), transaction.atomic():
        outbox_enqueue(task="tests.outbox.no_such_task", kwargs={})
