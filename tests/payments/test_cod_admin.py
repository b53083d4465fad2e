"""Pay on delivery in the admin: reconciliations and their lines by outcome, refusal flags, exclusions."""

import pytest
from django.contrib.auth.models import Group

from payments.cod import cod_collected, cod_eligibility, cod_refused
from payments.cod_register_generate import tracking_number_make
from payments.models import CodCustomerFlag, CodExclusion, CodLineOutcome
from payments.reconcile import cod_reconcile
from tests.accounts.factories import UserFactory
from tests.catalog.factories import SkuFactory

from .factories import cod_shipped

pytestmark = pytest.mark.django_db

T1, T2 = tracking_number_make(1), tracking_number_make(2)


def _client(client, group: str):
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    client.force_login(user)
    return client


@pytest.fixture
def recon(tmp_path):
    payment = cod_shipped(tracking_number=T1)
    cod_collected(tracking_number=T1, amount=payment.amount)
    path = tmp_path / "reestr.csv"
    path.write_text(
        "ШПИ;Сумма;Плата;Дата перевода;Номер платёжного поручения\n"
        f"{T1};{payment.amount};0;03.02.2026;417\n{T2};10,00;0;03.02.2026;417\n;;;;\nмусор\n"
    )
    return cod_reconcile(path=path)


def test_support_sees_a_reconciliation_with_its_outcomes_linked_to_the_lines(client, recon):
    support = _client(client, "support")

    html = support.get(f"/admin/payments/codreconciliation/{recon.pk}/change/").content.decode()

    assert "Сходится: 1" in html
    assert f"reconciliation__id__exact={recon.pk}&amp;outcome__exact=unknown_tracking" in html


def test_the_lines_of_one_reconciliation_filter_by_outcome(client, recon):
    support = _client(client, "support")

    response = support.get(
        "/admin/payments/codremittanceline/",
        {"reconciliation__id__exact": recon.pk, "outcome__exact": CodLineOutcome.MALFORMED},
    )

    assert response.status_code == 200
    lines = list(response.context["cl"].result_list)
    assert [(line.line_no, line.outcome) for line in lines] == [(5, CodLineOutcome.MALFORMED)]


def test_support_clears_a_refusal_flag_with_a_reason_and_cod_is_offered_again(client):
    payment = cod_shipped(tracking_number=T1, contact_phone="+79161234567")
    cod_refused(order=payment.order, reason="отказ")
    flag = CodCustomerFlag.objects.get()
    support = _client(client, "support")

    response = support.post(f"/admin/payments/codcustomerflag/{flag.pk}/change/", {"clear_reason": "оплатил возврат"})

    flag.refresh_from_db()
    assert response.status_code == 302
    assert (flag.is_open, flag.clear_note) == (False, "оплатил возврат")
    assert cod_eligibility(order_or_cart_total=100, sku_ids=[], phone="+79161234567").ok is True


def test_the_flag_list_shows_the_rules_in_force(client, settings):
    settings.STORE_COD_MAX_RUB = "40000.00"
    support = _client(client, "support")

    html = support.get("/admin/payments/codcustomerflag/").content.decode()

    assert "STORE_COD_MAX_RUB" in html
    assert "40\xa0000\xa0₽" in html


def test_ops_add_an_exclusion_that_keeps_a_product_from_cod(client):
    sku = SkuFactory()
    ops = _client(client, "ops")

    response = ops.post(
        "/admin/payments/codexclusion/add/",
        {"product": sku.product_id, "reason": "распродажа", "starts_at_0": "01.01.2026", "starts_at_1": "00:00:00"},
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    exclusion = CodExclusion.objects.get()
    assert exclusion.created_by is not None
    assert cod_eligibility(order_or_cart_total=100, sku_ids=[sku.pk]).ok is False


def test_support_finds_a_collection_by_tracking_number_with_its_remittance(client, recon):
    support = _client(client, "support")

    response = support.get("/admin/payments/codcollection/", {"q": T1, "remitted": "1"})

    assert response.status_code == 200
    [collection] = response.context["cl"].result_list
    assert (collection.tracking_number, collection.remitted_on.isoformat()) == (T1, "2026-02-03")
