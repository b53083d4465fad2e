"""The provider's confirmation page, as the shopper sees it: card form, SBP QR or «Плати частями» schedule.

This is the payment provider's page (another company's site in production), so its Russian text is
written here directly rather than through the store's translations.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta
from decimal import ROUND_DOWN, Decimal
from html import escape

from .state import SandboxPayment

STYLE = """
body{margin:0;font:16px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:#f2f3f5;color:#1d1d1f}
.top{background:#fff;border-bottom:1px solid #e3e4e8;padding:14px 24px;display:flex;justify-content:space-between}
.logo{font-weight:700;letter-spacing:.02em}.logo span{color:#0070f0}.test{color:#b35c00;font-size:13px}
main{max-width:440px;margin:32px auto;padding:0 16px}
.card{background:#fff;border-radius:16px;box-shadow:0 2px 12px rgba(0,0,0,.06);padding:24px;margin-bottom:16px}
.amount{font-size:32px;font-weight:700;margin:4px 0}.muted{color:#6e6e73;font-size:14px}
label{display:block;font-size:13px;color:#6e6e73;margin:12px 0 4px}
input,select{width:100%;box-sizing:border-box;padding:10px 12px;border:1px solid #d2d2d7;border-radius:10px;
font:inherit}
.row{display:flex;gap:12px}.row>div{flex:1}
button{width:100%;padding:14px;border:0;border-radius:12px;font:inherit;font-weight:600;cursor:pointer;margin-top:12px}
.pay{background:#0070f0;color:#fff}.decline{background:#fff;color:#c9302c;border:1px solid #e6b8b7}
.qr{display:flex;justify-content:center;margin:16px 0}.qr svg{width:200px;height:200px}
table{width:100%;border-collapse:collapse}td{padding:8px 0;border-bottom:1px solid #eee}td:last-child{text-align:right}
.done{text-align:center}
"""


def format_rub(value: Decimal, currency: str) -> str:
    whole, frac = f"{value:.2f}".split(".")
    groups = []
    while whole:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    sign = {"RUB": "₽", "EUR": "€", "CNY": "¥"}.get(currency, currency)
    return "\u00a0".join(groups) + ("," + frac if frac != "00" else "") + "\u00a0" + sign


def bnpl_parts(amount: Decimal, parts: int = 4) -> list[Decimal]:
    """Equal parts rounded down to the kopeck; the first part takes the remainder so they add up exactly."""
    part = (amount / parts).quantize(Decimal("0.01"), rounding=ROUND_DOWN)
    return [amount - part * (parts - 1)] + [part] * (parts - 1)


def _page(title: str, body: str) -> str:
    return f"""<!doctype html>
<html lang="ru"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>{escape(title)}</title><style>{STYLE}</style></head>
<body><div class="top"><div class="logo">Ю<span>Касса</span> · песочница</div>
<div class="test">Тестовый платёж</div></div>
<main>{body}</main></body></html>"""


def _qr_svg(seed: str, size: int = 25) -> str:
    """A QR-looking picture (finder squares + hashed modules): the sandbox has no bank app to scan it."""
    bits = "".join(f"{b:08b}" for b in hashlib.sha256(seed.encode()).digest() * 4)
    cells = []
    finders = ((0, 0), (size - 7, 0), (0, size - 7))
    for y in range(size):
        for x in range(size):
            finder = next(((fx, fy) for fx, fy in finders if fx - 1 <= x <= fx + 7 and fy - 1 <= y <= fy + 7), None)
            if finder:  # a finder square with its white separator
                dx, dy = x - finder[0], y - finder[1]
                on = 0 <= dx <= 6 and 0 <= dy <= 6 and (dx in (0, 6) or dy in (0, 6) or (2 <= dx <= 4 and 2 <= dy <= 4))
            else:
                on = bits[(y * size + x) % len(bits)] == "1"
            if on:
                cells.append(f'<rect x="{x}" y="{y}" width="1" height="1"/>')
    return (
        f'<svg viewBox="-2 -2 {size + 4} {size + 4}" xmlns="http://www.w3.org/2000/svg" role="img" '
        f'aria-label="QR-код СБП"><rect x="-2" y="-2" width="{size + 4}" height="{size + 4}" fill="#fff"/>'
        f'<g fill="#1d1d1f">{"".join(cells)}</g></svg>'
    )


def _decline_select(options: list[tuple[str, str]]) -> str:
    items = "".join(f'<option value="{escape(v)}">{escape(t)}</option>' for v, t in options)
    return f'<label for="reason">Исход для отказа</label><select id="reason" name="reason">{items}</select>'


def confirmation_page(payment: SandboxPayment) -> str:
    amount = format_rub(payment.amount, payment.currency)
    head = f"""<div class="card"><div class="muted">{escape(payment.description or "Оплата заказа")}</div>
<div class="amount" data-testid="amount">{amount}</div><div class="muted">Платёж {escape(payment.id)}</div></div>"""
    action = f"/checkout/{escape(payment.id)}"
    if payment.method == "sbp":
        form = f"""<div class="card"><h2>Оплата через СБП</h2>
<p class="muted">Отсканируйте QR-код камерой телефона или в приложении банка и подтвердите платёж.</p>
<div class="qr">{_qr_svg(payment.id)}</div>
<form method="post" action="{action}">
<button class="pay" name="action" value="pay">Оплатить</button>
{_decline_select([("general_decline", "Банк отклонил платёж"), ("rejected_by_timeout", "Истекло время ожидания")])}
<button class="decline" name="action" value="decline">Отклонить</button></form></div>"""
    elif payment.method == "sber_bnpl":
        today = payment.created_at.date()
        rows = "".join(
            f"<tr><td>{(today + timedelta(weeks=2 * i)).strftime('%d.%m.%Y')}"
            f"{' · сегодня' if i == 0 else ''}</td><td>{format_rub(part, payment.currency)}</td></tr>"
            for i, part in enumerate(bnpl_parts(payment.amount))
        )
        form = f"""<div class="card"><h2>Плати частями</h2>
<p class="muted">4 платежа раз в две недели, без переплаты. Первая часть списывается сегодня.</p>
<table data-testid="schedule">{rows}</table>
<form method="post" action="{action}">
<button class="pay" name="action" value="pay">Одобрить и оплатить</button>
{_decline_select([("general_decline", "Отказ в рассрочке"), ("payment_method_restricted", "Сервис недоступен")])}
<button class="decline" name="action" value="decline">Отклонить</button></form></div>"""
    else:
        card_decline = _decline_select(
            [
                ("insufficient_funds", "Недостаточно средств"),
                ("card_expired", "Карта просрочена"),
                ("3d_secure_failed", "Не пройдена 3-D Secure"),
                ("fraud_suspected", "Подозрение на мошенничество"),
                ("general_decline", "Отказ банка"),
            ]
        )
        form = f"""<div class="card"><h2>Банковская карта</h2>
<form method="post" action="{action}">
<label for="card">Номер карты</label>
<input id="card" name="card" inputmode="numeric" autocomplete="cc-number" value="2202 2000 0000 4444">
<div class="row"><div><label for="exp">Срок действия</label><input id="exp" name="exp" value="12/30"></div>
<div><label for="cvc">CVC</label><input id="cvc" name="cvc" value="123" inputmode="numeric"></div></div>
<button class="pay" name="action" value="pay">Оплатить {amount}</button>
{card_decline}
<button class="decline" name="action" value="decline">Отклонить</button></form></div>"""
    return _page(f"Оплата {amount}", head + form)


def settled_page(payment: SandboxPayment) -> str:
    text = {
        "succeeded": "Платёж прошёл",
        "waiting_for_capture": "Платёж подтверждён, деньги заблокированы",
        "canceled": "Платёж отменён",
    }.get(payment.status, "Платёж обработан")
    body = f"""<div class="card done"><h2>{text}</h2>
<div class="amount">{format_rub(payment.amount, payment.currency)}</div>
<p><a href="{escape(payment.return_url)}">Вернуться в магазин</a></p></div>"""
    return _page(text, body)


def message_page(title: str, text: str) -> str:
    return _page(title, f'<div class="card done"><h2>{escape(title)}</h2><p>{escape(text)}</p></div>')
