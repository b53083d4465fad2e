"""The post's COD remittance register against our collected COD payments (payments/reconcile.py, reconcile_cod)."""

from datetime import timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from payments.cod import cod_collected
from payments.cod_register_generate import Mix, parcels_from_db, register_rows, register_write, tracking_number_make
from payments.models import CodCollection, CodLineOutcome, CodReconciliation, CodRemittanceLine
from payments.reconcile import RegisterInvalid, cod_reconcile

from .factories import cod_payment, cod_shipped

pytestmark = pytest.mark.django_db

Outcome = CodLineOutcome
HEADER = "ШПИ;Сумма наложенного платежа;Плата за пересылку;Дата перевода;Номер платёжного поручения\n"
T1, T2, T3 = tracking_number_make(1), tracking_number_make(2), tracking_number_make(3)


def _collected(tracking: str, *, days_ago: int = 1):
    payment = cod_shipped(tracking_number=tracking)
    cod_collected(tracking_number=tracking, amount=payment.amount, collected_at=timezone.now() - timedelta(days_ago))
    return payment


def _register(tmp_path, body: str, *, name: str = "reestr.csv", encoding: str = "utf-8"):
    path = tmp_path / name
    path.write_bytes((HEADER + body).encode(encoding))
    return path


def _rub(amount: Decimal) -> str:
    return f"{amount:.2f}".replace(".", ",")


def test_a_line_for_a_collected_parcel_with_the_amount_we_asked_is_matched_and_remitted(tmp_path):
    payment = _collected(T1)
    path = _register(tmp_path, f"{T1};{_rub(payment.amount)};45,60;03.02.2026;417\n")

    recon = cod_reconcile(path=path)

    line = recon.lines.get()
    assert (line.outcome, line.applied, line.line_no) == (Outcome.MATCHED, True, 2)
    assert (line.amount, line.fee, str(line.remitted_on)) == (payment.amount, Decimal("45.60"), "2026-02-03")
    assert line.collection == CodCollection.objects.get(payment=payment)
    assert recon.count(Outcome.MATCHED) == 1
    assert recon.applied_amount == payment.amount


def test_an_amount_that_differs_from_what_we_asked_is_a_mismatch(tmp_path):
    payment = _collected(T1)
    path = _register(tmp_path, f"{T1};{_rub(payment.amount - 1)};0;03.02.2026;417\n")

    line = cod_reconcile(path=path).lines.get()

    assert (line.outcome, line.expected_amount) == (Outcome.AMOUNT_MISMATCH, payment.amount)
    assert line.error == "разница −1\xa0₽"


def test_a_tracking_number_we_do_not_know_is_reported_unknown(tmp_path):
    path = _register(tmp_path, f"{T2};100,00;3,00;03.02.2026;417\n")

    line = cod_reconcile(path=path).lines.get()

    assert (line.outcome, line.applied, line.collection) == (Outcome.UNKNOWN_TRACKING, False, None)


def test_a_parcel_we_have_not_recorded_as_collected_is_reported_and_not_counted(tmp_path):
    payment = cod_shipped(tracking_number=T1)
    path = _register(tmp_path, f"{T1};{_rub(payment.amount)};3,00;03.02.2026;417\n")

    line = cod_reconcile(path=path).lines.get()

    assert (line.outcome, line.applied) == (Outcome.NOT_COLLECTED, False)
    assert not CodRemittanceLine.objects.filter(applied=True).exists()


def test_parcels_collected_longer_ago_than_the_remit_days_and_not_remitted_are_listed(tmp_path, settings):
    settings.STORE_COD_REMIT_DAYS = 14
    old, recent, remitted = _collected(T1, days_ago=20), _collected(T2, days_ago=3), _collected(T3, days_ago=30)
    path = _register(tmp_path, f"{T3};{_rub(remitted.amount)};3,00;03.02.2026;417\n")

    recon = cod_reconcile(path=path)

    overdue = recon.lines.filter(outcome=Outcome.NOT_REMITTED)
    assert [(line.tracking_number, line.line_no, line.expected_amount) for line in overdue] == [(T1, None, old.amount)]
    assert recent.pk  # collected three days ago: not overdue yet


def test_malformed_lines_are_reported_with_line_numbers_and_reasons_and_good_lines_still_count(tmp_path):
    payment = _collected(T1)
    body = (
        f"{T1};{_rub(payment.amount)};3,00;03.02.2026;417\n"
        ";100,00;3,00;03.02.2026;417\n"
        f"{T2};сто рублей;3,00;03.02.2026;417\n"
        f"{T3};100,00;3,00;31.02.2026;417\n"
        "RA12;100,00\n"
        f"{T2};100,00;3,00;03.02.2026;\n"
    )
    path = _register(tmp_path, body)

    recon = cod_reconcile(path=path)

    bad = {line.line_no: line.error for line in recon.lines.filter(outcome=Outcome.MALFORMED)}
    assert bad == {
        3: "нет трек-номера",
        4: "сумма «сто рублей» — не положительное число с копейками",
        5: "дата «31.02.2026» — не ДД.ММ.ГГГГ",
        6: "ожидалось полей: 5, в строке: 2",
        7: "нет номера платёжного поручения",
    }
    assert recon.lines.get(line_no=3).raw == ";100,00;3,00;03.02.2026;417"
    assert recon.count(Outcome.MATCHED) == 1
    assert recon.lines_total == 6


def test_loading_the_same_file_twice_counts_each_line_once(tmp_path):
    payment = _collected(T1)
    path = _register(tmp_path, f"{T1};{_rub(payment.amount)};3,00;03.02.2026;417\n")
    first = cod_reconcile(path=path)

    second = cod_reconcile(path=path)

    assert second.count(Outcome.MATCHED) == 0
    assert second.count(Outcome.ALREADY_RECONCILED) == 1
    assert second.applied_amount == 0
    assert CodRemittanceLine.objects.filter(applied=True).count() == 1
    assert CodRemittanceLine.objects.get(collection__payment=payment, applied=True).reconciliation == first


def test_a_line_repeated_in_the_file_is_counted_once(tmp_path):
    payment = _collected(T1)
    line = f"{T1};{_rub(payment.amount)};3,00;03.02.2026;417\n"
    path = _register(tmp_path, line + line)

    recon = cod_reconcile(path=path)

    assert (recon.count(Outcome.MATCHED), recon.count(Outcome.DUPLICATE_IN_FILE)) == (1, 1)
    assert recon.lines.get(outcome=Outcome.DUPLICATE_IN_FILE).error == "этот трек-номер уже был в строке 2"


def test_a_second_payment_order_for_a_parcel_already_remitted_is_flagged(tmp_path):
    payment = _collected(T1)
    cod_reconcile(path=_register(tmp_path, f"{T1};{_rub(payment.amount)};3,00;03.02.2026;417\n", name="a.csv"))

    recon = cod_reconcile(path=_register(tmp_path, f"{T1};{_rub(payment.amount)};3,00;04.02.2026;418\n", name="b.csv"))

    line = recon.lines.get()
    assert (line.outcome, line.applied) == (Outcome.ALREADY_REMITTED, False)
    assert line.error.startswith("уже перечислен поручением 417")


def test_a_windows_1251_register_with_commas_and_quoted_decimal_commas_is_read(tmp_path):
    payment = _collected(T1)
    header = "Трек-номер,Сумма,Комиссия,Дата перевода,Номер платёжного поручения\n"
    path = tmp_path / "1251.csv"
    path.write_bytes((header + f'{T1},"{_rub(payment.amount)}","3,50",2026-02-03,П-417\n').encode("cp1251"))

    recon = cod_reconcile(path=path)

    assert (recon.encoding, recon.delimiter) == ("cp1251", ",")
    assert recon.lines.get().outcome == Outcome.MATCHED
    assert recon.lines.get().payment_order_number == "П-417"


def test_an_unquoted_decimal_comma_in_a_comma_register_is_explained(tmp_path):
    path = tmp_path / "comma.csv"
    path.write_text(f"ШПИ,Сумма,Плата,Дата,Номер платёжного поручения\n{T1},100,50,3,00,03.02.2026,417\n")

    line = cod_reconcile(path=path).lines.get()

    assert line.outcome == Outcome.MALFORMED
    assert "возьмите сумму в кавычки" in line.error


def test_a_register_without_the_required_columns_is_refused_and_nothing_is_saved(tmp_path):
    path = tmp_path / "wrong.csv"
    path.write_text(f"ШПИ;Сумма\n{T1};100,00\n")

    missing = "нет столбцов: «Плата за пересылку», «Дата перевода», «Номер платёжного поручения»"
    with pytest.raises(RegisterInvalid, match=missing):
        cod_reconcile(path=path)

    assert not CodReconciliation.objects.exists()


def test_the_command_prints_the_outcomes_and_each_malformed_line(tmp_path):
    payment = _collected(T1)
    path = _register(tmp_path, f"{T1};{_rub(payment.amount)};3,00;03.02.2026;417\n{T2};сто;3,00;03.02.2026;417\n")
    out = StringIO()

    call_command("reconcile_cod", str(path), stdout=out)

    text = out.getvalue()
    assert "Сходится" in text
    assert "строка 3" in text and "сумма «сто»" in text
    call_command("reconcile_cod", str(path), stdout=(again := StringIO()))
    assert "Этот файл уже загружали" in again.getvalue()


def test_the_command_refuses_an_unreadable_register(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_text("")

    with pytest.raises(CommandError, match="Файл пуст"):
        call_command("reconcile_cod", str(path), stdout=StringIO())


def test_a_generated_register_reconciles_with_its_mix_of_problems(tmp_path):
    for n in range(12):
        _collected(tracking_number_make(100 + n))
    cod_payment()  # not shipped: not in the register
    path = tmp_path / "gen.csv"
    mix = Mix(mismatch_every=5, unknown_every=7, duplicate_every=11, malformed_every=13)
    register_write(path, register_rows(parcels_from_db(100), lines=15, mix=mix))

    recon = cod_reconcile(path=path)

    assert recon.lines_total == 15
    assert recon.count(Outcome.MALFORMED) == 1  # line 13 of the data
    assert recon.count(Outcome.UNKNOWN_TRACKING) == 2  # 7, 14
    assert recon.count(Outcome.DUPLICATE_IN_FILE) == 1  # 11
    assert recon.count(Outcome.AMOUNT_MISMATCH) == 3  # 5, 10, 15
    assert recon.count(Outcome.MATCHED) == 8
