"""Two reports about one COD parcel at the same moment, against real PostgreSQL (real threads and connections)."""

import threading

import pytest
from django.db import connection

from payments.cod import cod_collected, cod_refused
from payments.models import CodCustomerFlag, PaymentStatus

from .factories import cod_shipped

pytestmark = pytest.mark.django_db(transaction=True)

TRACK = "80082516123458"


def _together(*calls) -> list:
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(i: int) -> None:
        try:
            barrier.wait()
            results[i] = calls[i]()
        except Exception as exc:
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_two_collection_reports_at_once_make_one_transition():
    payment = cod_shipped(tracking_number=TRACK)

    results = _together(
        lambda: cod_collected(tracking_number=TRACK, amount=payment.amount),
        lambda: cod_collected(order=payment.order, amount=payment.amount),
    )

    assert not [r for r in results if isinstance(r, Exception)]
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.COLLECTED
    assert payment.events.filter(to_status=PaymentStatus.COLLECTED).count() == 1


def test_a_collection_and_a_refusal_at_once_end_in_exactly_one_of_them():
    payment = cod_shipped(tracking_number=TRACK)

    results = _together(
        lambda: cod_collected(tracking_number=TRACK, amount=payment.amount),
        lambda: cod_refused(tracking_number=TRACK, reason="отказ"),
    )

    assert not [r for r in results if isinstance(r, Exception)]
    payment.refresh_from_db()
    assert payment.status in (PaymentStatus.COLLECTED, PaymentStatus.UNCOLLECTED)
    moves = payment.events.filter(from_status=PaymentStatus.AWAITING_COLLECTION).exclude(
        to_status=PaymentStatus.AWAITING_COLLECTION
    )
    assert moves.count() == 1
    assert CodCustomerFlag.objects.exists() == (payment.status == PaymentStatus.UNCOLLECTED)
