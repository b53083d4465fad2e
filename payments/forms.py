import uuid
from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

METHOD_MESSAGE = _("Выберите способ оплаты.")


class PayForm(forms.Form):
    """Pay (again) for an order waiting for payment: one of the methods offered for it."""

    method = forms.ChoiceField(
        label=_("Способ оплаты"),
        widget=forms.RadioSelect,
        error_messages={"required": METHOD_MESSAGE, "invalid_choice": METHOD_MESSAGE},
    )

    def __init__(self, *args, methods: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["method"].choices = methods


class RefundForm(forms.Form):
    """Support's refund of an order: some lines (quantities), or an amount, or both; always a reason."""

    reason = forms.CharField(
        label=_("Причина"),
        max_length=250,
        error_messages={"required": _("Укажите причину возврата.")},
        help_text=_("Её увидят коллеги в истории платежа."),
    )
    amount = forms.DecimalField(
        label=_("Сумма, ₽"),
        required=False,
        min_value=Decimal("0.01"),
        decimal_places=2,
        max_digits=12,
        help_text=_("Пусто — сумма выбранных позиций, а если позиции не выбраны — всё, что осталось вернуть."),
    )

    # One per rendered form: the refund's idempotency key (order_refund(key=...)), so a form sent twice (a double
    # click, the browser repeating the POST) refunds once. 20 hex digits: "staff-" and this fit refunds.MAX_KEY.
    submission = forms.RegexField(
        regex=r"^[0-9a-f]{20}$", required=False, widget=forms.HiddenInput, initial=lambda: uuid.uuid4().hex[:20]
    )

    def __init__(self, *args, lines, refunded: dict[int, int], **kwargs):
        """`lines`: the order's lines; `refunded`: {line id: quantity already refunded}."""
        super().__init__(*args, **kwargs)
        self.line_fields = []
        for line in lines:
            left = line.quantity - refunded.get(line.pk, 0)
            name = f"line_{line.pk}"
            self.fields[name] = forms.IntegerField(
                label=f"{line.product_title} ({line.sku_code})",
                min_value=0,
                max_value=left,
                initial=0,
                required=False,
                help_text=_("куплено %(bought)d, можно вернуть %(left)d, цена %(price)s ₽")
                % {"bought": line.quantity, "left": left, "price": line.unit_price_rub},
            )
            self.line_fields.append((line.pk, name))

    def refund_key(self) -> str:
        """The key order_refund is given for this submission ("" for a form without one)."""
        submission = self.cleaned_data.get("submission")
        return f"staff-{submission}" if submission else ""

    def refund_lines(self) -> dict[int, int]:
        return {pk: self.cleaned_data[name] for pk, name in self.line_fields if self.cleaned_data.get(name)}
