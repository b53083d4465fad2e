"""The provider client (official SDK + our transport) against the sandbox over real HTTP: no mocks."""

import socket
from dataclasses import replace
from decimal import Decimal

import pytest

from payments.exceptions import (
    PaymentDeclined,
    ProviderAuthError,
    ProviderNotFound,
    ProviderRejected,
    ProviderUnavailable,
    RefundNotAllowed,
)
from payments.provider import ProviderConfig, YooKassaClient
from storefront.core.money import Money

from .sandbox_client import call, resolve

RETURN_URL = "http://127.0.0.1:8000/orders/MS-1/"


def create(client: YooKassaClient, key: str = "pay-1", *, amount: str = "1500.00", method: str = "card", **kwargs):
    return client.payment_create(
        amount=Money(Decimal(amount)),
        method=method,
        return_url=RETURN_URL,
        description="Заказ MS-1",
        metadata={"order": "MS-1"},
        idempotence_key=key,
        **kwargs,
    )


@pytest.fixture
def client(payment_sandbox):
    return YooKassaClient()


def test_created_payment_is_pending_with_the_sandbox_confirmation_url(client, payment_sandbox):
    payment = create(client)

    assert payment.status == "pending"
    assert payment.paid is False
    assert payment.amount == Money(Decimal("1500.00"), "RUB")
    assert payment.method_type == "bank_card"
    assert payment.confirmation_url == f"{payment_sandbox.base_url}/checkout/{payment.id}"
    assert payment.metadata["order"] == "MS-1"


def test_our_methods_map_to_the_provider_method_types(client):
    assert create(client, "k-sbp", method="sbp").method_type == "sbp"
    assert create(client, "k-later", method="pay_later").method_type == "sber_bnpl"


def test_payment_confirmed_in_the_sandbox_reads_as_succeeded(client, payment_sandbox):
    payment = create(client)

    resolve(payment_sandbox, payment.id)

    settled = client.payment_get(payment.id)
    assert settled.status == "succeeded"
    assert settled.paid is True
    assert settled.captured_at is not None


def test_declined_payment_reads_as_canceled_with_the_reason(client, payment_sandbox):
    payment = create(client)

    resolve(payment_sandbox, payment.id, "canceled", reason="insufficient_funds")

    settled = client.payment_get(payment.id)
    assert (settled.status, settled.cancellation_reason) == ("canceled", "insufficient_funds")
    assert "Недостаточно средств" in str(PaymentDeclined(settled.cancellation_reason).user_message)


def test_same_idempotence_key_creates_one_payment(client, payment_sandbox):
    first = create(client, "pay-42")
    second = create(client, "pay-42")

    assert second.id == first.id
    assert len(payment_sandbox.state.payments) == 1


def test_lost_answer_on_create_is_retried_with_the_same_key_and_charges_once(client, payment_sandbox):
    # the provider creates the payment, then the connection drops before the answer arrives
    call(payment_sandbox, "POST", "/sandbox/faults", {"path": "/v3/payments", "kind": "drop", "process": True})

    payment = create(client, "pay-7")

    assert list(payment_sandbox.state.payments) == [payment.id]


def test_server_errors_are_retried(client, payment_sandbox):
    call(payment_sandbox, "POST", "/sandbox/faults", {"path": "/v3/payments", "status": 500, "times": 2})

    payment = create(client)

    assert payment.status == "pending"


def test_still_processing_after_every_retry_is_provider_unavailable(client, payment_sandbox):
    call(payment_sandbox, "POST", "/sandbox/faults", {"path": "/v3/payments", "status": 202, "times": 10})

    with pytest.raises(ProviderUnavailable):
        create(client)


def test_unreachable_provider_is_provider_unavailable(settings):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again when the block ends: nothing listens there
    settings.STORE_YOOKASSA_API_URL = f"http://127.0.0.1:{port}/v3/"

    with pytest.raises(ProviderUnavailable):
        YooKassaClient().payment_get("00000000-0000-0000-0000-000000000000")


def test_wrong_credentials_raise_a_clear_auth_error(client):
    bad = YooKassaClient(replace(client.config, secret_key="not-the-key"))

    with pytest.raises(ProviderAuthError, match="credentials"):
        create(bad)


def test_auth_error_is_a_kind_of_provider_unavailable():
    assert issubclass(ProviderAuthError, ProviderUnavailable)


def test_unknown_payment_raises_not_found(client):
    with pytest.raises(ProviderNotFound):
        client.payment_get("00000000-0000-0000-0000-000000000000")


def test_invalid_request_is_rejected_with_the_parameter(client):
    with pytest.raises(ProviderRejected) as caught:
        create(client, amount="500.00", method="pay_later")  # below the pay-later range

    assert caught.value.parameter == "amount.value"


def test_refund_within_the_paid_amount_succeeds(client, payment_sandbox):
    payment = create(client, amount="1000.00")
    resolve(payment_sandbox, payment.id)

    refund = client.refund_create(
        provider_payment_id=payment.id, amount=Money(Decimal("400.00")), description="Возврат", idempotence_key="r-1"
    )

    assert (refund.status, refund.amount) == ("succeeded", Money(Decimal("400.00")))
    assert client.payment_get(payment.id).refunded == Money(Decimal("400.00"))


def test_refund_over_the_paid_amount_raises_refund_not_allowed(client, payment_sandbox):
    payment = create(client, amount="1000.00")
    resolve(payment_sandbox, payment.id)

    with pytest.raises(RefundNotAllowed):
        client.refund_create(
            provider_payment_id=payment.id,
            amount=Money(Decimal("1000.01")),
            description="Возврат",
            idempotence_key="r-1",
        )


def test_two_stage_payment_is_captured(client, payment_sandbox):
    payment = create(client, capture=False)
    resolve(payment_sandbox, payment.id)

    captured = client.payment_capture(payment.id, idempotence_key="cap-1")

    assert captured.status == "succeeded"


def test_held_payment_is_canceled(client, payment_sandbox):
    payment = create(client, capture=False)
    resolve(payment_sandbox, payment.id)

    canceled = client.payment_cancel(payment.id, idempotence_key="cancel-1")

    assert (canceled.status, canceled.cancellation_reason) == ("canceled", "canceled_by_merchant")


def test_client_reads_its_configuration_from_settings(settings):
    settings.STORE_YOOKASSA_API_URL = "http://127.0.0.1:1/v3/"

    assert ProviderConfig.from_settings().api_url == "http://127.0.0.1:1/v3/"
