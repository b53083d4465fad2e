"""The payment sandbox speaks the provider's protocol: raw HTTP, no SDK, no Django."""

from decimal import Decimal

from payments.sandbox import SandboxServer
from payments.sandbox.pages import bnpl_parts

from .sandbox_client import call, create_payment, paid_payment, payment_body, resolve


def test_created_payment_is_pending_with_a_confirmation_url_on_the_sandbox(payment_sandbox):
    payment = create_payment(payment_sandbox)

    assert payment["status"] == "pending"
    assert payment["paid"] is False
    assert payment["test"] is True
    assert payment["amount"] == {"value": "1500.00", "currency": "RUB"}
    assert payment["confirmation"]["type"] == "redirect"
    assert payment["confirmation"]["confirmation_url"] == f"{payment_sandbox.base_url}/checkout/{payment['id']}"


def test_wrong_credentials_are_answered_401(payment_sandbox):
    answer = call(payment_sandbox, "POST", "/v3/payments", payment_body(), key="k", credentials=("100500", "wrong"))

    assert answer.status == 401
    assert answer.json["code"] == "invalid_credentials"


def test_same_idempotence_key_and_body_answer_the_same_payment(payment_sandbox):
    first = create_payment(payment_sandbox, key="pay-7")
    second = create_payment(payment_sandbox, key="pay-7")

    assert second["id"] == first["id"]
    assert len(payment_sandbox.state.payments) == 1


def test_same_idempotence_key_with_another_body_is_a_bad_request(payment_sandbox):
    create_payment(payment_sandbox, key="pay-7")

    answer = call(payment_sandbox, "POST", "/v3/payments", payment_body("99.00"), key="pay-7")

    assert answer.status == 400
    assert answer.json["parameter"] == "Idempotence-Key"


def test_post_without_idempotence_key_is_a_bad_request(payment_sandbox):
    answer = call(payment_sandbox, "POST", "/v3/payments", payment_body())

    assert answer.status == 400


def test_unknown_payment_is_404(payment_sandbox):
    answer = call(payment_sandbox, "GET", "/v3/payments/00000000-0000-0000-0000-000000000000")

    assert answer.status == 404
    assert answer.json["code"] == "not_found"


def test_pay_on_the_confirmation_page_succeeds_and_returns_the_shopper(payment_sandbox):
    payment = create_payment(payment_sandbox)

    answer = call(
        payment_sandbox, "POST", f"/checkout/{payment['id']}", form={"action": "pay", "card": "2202 2000 0000 1234"}
    )

    assert answer.status == 303
    assert answer.headers["Location"] == "http://127.0.0.1:8000/orders/1/"
    settled = call(payment_sandbox, "GET", f"/v3/payments/{payment['id']}").json
    assert settled["status"] == "succeeded"
    assert settled["paid"] is True
    assert settled["payment_method"]["card"]["last4"] == "1234"


def test_decline_on_the_confirmation_page_cancels_with_the_reason(payment_sandbox):
    payment = create_payment(payment_sandbox)

    call(
        payment_sandbox,
        "POST",
        f"/checkout/{payment['id']}",
        form={"action": "decline", "reason": "insufficient_funds"},
    )

    settled = call(payment_sandbox, "GET", f"/v3/payments/{payment['id']}").json
    assert settled["status"] == "canceled"
    assert settled["cancellation_details"] == {"party": "payment_network", "reason": "insufficient_funds"}


def test_card_page_shows_amount_and_both_buttons(payment_sandbox):
    payment = create_payment(payment_sandbox, value="1299.50")

    page = call(payment_sandbox, "GET", f"/checkout/{payment['id']}").text

    assert "1\u00a0299,50\u00a0₽" in page
    assert "Оплатить" in page
    assert "Отклонить" in page


def test_sbp_page_shows_a_qr_code(payment_sandbox):
    payment = create_payment(payment_sandbox, method="sbp")

    page = call(payment_sandbox, "GET", f"/checkout/{payment['id']}").text

    assert "СБП" in page
    assert "<svg" in page


def test_pay_later_page_shows_four_parts(payment_sandbox):
    payment = create_payment(payment_sandbox, value="3000.00", method="sber_bnpl")

    page = call(payment_sandbox, "GET", f"/checkout/{payment['id']}").text

    assert "Плати частями" in page
    assert page.count("750\u00a0₽") == 4


def test_pay_later_parts_add_up_to_the_kopeck():
    parts = bnpl_parts(Decimal("1000.03"))

    assert len(parts) == 4
    assert sum(parts) == Decimal("1000.03")


def test_pay_later_outside_its_amount_range_is_a_bad_request(payment_sandbox):
    answer = call(payment_sandbox, "POST", "/v3/payments", payment_body("999.99", "sber_bnpl"), key="k")

    assert answer.status == 400
    assert answer.json["parameter"] == "amount.value"


def test_two_stage_payment_waits_for_capture_then_is_captured(payment_sandbox):
    payment = create_payment(payment_sandbox, capture=False)
    held = resolve(payment_sandbox, payment["id"])

    captured = call(payment_sandbox, "POST", f"/v3/payments/{payment['id']}/capture", {}, key="cap-1")

    assert held["status"] == "waiting_for_capture"
    assert captured.json["status"] == "succeeded"


def test_held_payment_can_be_canceled_by_the_merchant(payment_sandbox):
    payment = create_payment(payment_sandbox, capture=False)
    resolve(payment_sandbox, payment["id"])

    canceled = call(payment_sandbox, "POST", f"/v3/payments/{payment['id']}/cancel", key="cancel-1").json

    assert canceled["status"] == "canceled"
    assert canceled["cancellation_details"] == {"party": "merchant", "reason": "canceled_by_merchant"}


def test_refunds_cannot_exceed_what_was_captured(payment_sandbox):
    payment = paid_payment(payment_sandbox)
    refund = {"payment_id": payment["id"], "amount": {"value": "600.00", "currency": "RUB"}}

    first = call(payment_sandbox, "POST", "/v3/refunds", refund, key="refund-1")
    second = call(payment_sandbox, "POST", "/v3/refunds", refund, key="refund-2")

    assert first.json["status"] == "succeeded"
    assert second.status == 400
    assert call(payment_sandbox, "GET", f"/v3/payments/{payment['id']}").json["refunded_amount"]["value"] == "600.00"


def test_repeated_refund_with_the_same_key_refunds_once(payment_sandbox):
    payment = paid_payment(payment_sandbox)
    refund = {"payment_id": payment["id"], "amount": {"value": "600.00", "currency": "RUB"}}

    first = call(payment_sandbox, "POST", "/v3/refunds", refund, key="refund-1")
    again = call(payment_sandbox, "POST", "/v3/refunds", refund, key="refund-1")

    assert again.json["id"] == first.json["id"]
    assert call(payment_sandbox, "GET", f"/v3/refunds/{first.json['id']}").json["amount"]["value"] == "600.00"


def test_unconfirmed_payment_expires_on_the_sandbox_clock(payment_sandbox):
    payment = create_payment(payment_sandbox)

    call(payment_sandbox, "POST", "/sandbox/clock", {"advance_seconds": 3601})

    settled = call(payment_sandbox, "GET", f"/v3/payments/{payment['id']}").json
    assert settled["status"] == "canceled"
    assert settled["cancellation_details"]["reason"] == "expired_on_confirmation"


def test_settlement_sends_a_webhook_to_the_notification_url(webhook_receiver, payment_sandbox):
    payment = create_payment(payment_sandbox)

    resolve(payment_sandbox, payment["id"])

    [delivery] = webhook_receiver.wait_for(1)
    assert delivery["body"]["type"] == "notification"
    assert delivery["body"]["event"] == "payment.succeeded"
    assert delivery["body"]["object"]["id"] == payment["id"]


def test_webhook_is_retried_until_the_receiver_answers_200(webhook_receiver, payment_sandbox):
    webhook_receiver.statuses = [500, 503]
    payment = create_payment(payment_sandbox)

    resolve(payment_sandbox, payment["id"], "canceled")

    deliveries = webhook_receiver.wait_for(3)
    assert [d["status"] for d in deliveries] == [500, 503, 200]
    assert {d["body"]["event"] for d in deliveries} == {"payment.canceled"}


def test_resolve_without_notify_sends_no_webhook(webhook_receiver, payment_sandbox):
    payment = create_payment(payment_sandbox)

    resolve(payment_sandbox, payment["id"], notify=False)
    call(payment_sandbox, "POST", "/sandbox/webhooks/send", {"event": "refund.succeeded", "object_id": "x"})

    assert payment_sandbox.notifier.snapshot() == []


def test_dropped_answer_is_replayed_for_the_same_key(payment_sandbox):
    call(payment_sandbox, "POST", "/sandbox/faults", {"path": "/v3/payments", "kind": "drop", "process": True})

    lost = call_or_none(payment_sandbox)
    replayed = create_payment(payment_sandbox, key="pay-9")

    assert lost is None
    assert list(payment_sandbox.state.payments) == [replayed["id"]]


def call_or_none(sandbox):
    try:
        return call(sandbox, "POST", "/v3/payments", payment_body(), key="pay-9")
    except OSError:  # the connection closed without an answer
        return None


def test_state_file_keeps_payments_across_restarts(tmp_path):
    state = tmp_path / "sandbox.json"
    first = SandboxServer(shop_id="1", secret_key="k", state_file=state).start()
    try:
        payment = create_payment_with(first)
    finally:
        first.stop()
    second = SandboxServer(shop_id="1", secret_key="k", state_file=state)
    try:
        assert second.state.payments[payment["id"]].amount == Decimal("1500.00")
        assert "pay-1" in second.state.idempotence
    finally:
        second.stop()


def create_payment_with(server):
    answer = call(server, "POST", "/v3/payments", payment_body(), key="pay-1", credentials=("1", "k"))
    assert answer.status == 200
    return answer.json
