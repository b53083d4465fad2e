"""Two loads of one register at the same moment (real threads and connections): each line is counted once."""

from datetime import timedelta

import pytest
from django.utils import timezone

from payments.cod import cod_collected
from payments.cod_register_generate import tracking_number_make
from payments.models import CodLineOutcome, CodReconciliation, CodRemittanceLine
from payments.reconcile import cod_reconcile

from .factories import cod_shipped
from .test_cod_concurrency import _together

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_loads_of_the_same_register_at_once_count_each_line_once(tmp_path):
    lines = []
    for n in range(20):
        tracking = tracking_number_make(n)
        payment = cod_shipped(tracking_number=tracking)
        cod_collected(tracking_number=tracking, amount=payment.amount, collected_at=timezone.now() - timedelta(1))
        lines.append(f"{tracking};{payment.amount};0;03.02.2026;417")
    path = tmp_path / "reestr.csv"
    path.write_text("ШПИ;Сумма;Плата;Дата перевода;Номер платёжного поручения\n" + "\n".join(lines) + "\n")

    results = _together(lambda: cod_reconcile(path=path), lambda: cod_reconcile(path=path))

    assert all(isinstance(r, CodReconciliation) for r in results)
    matched = sorted(r.count(CodLineOutcome.MATCHED) for r in results)
    again = sorted(r.count(CodLineOutcome.ALREADY_RECONCILED) for r in results)
    assert (matched, again) == ([0, 20], [0, 20])
    assert CodRemittanceLine.objects.filter(applied=True).count() == 20
