from decimal import Decimal

from django import forms
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from logistics.selectors import CheckoutDelivery, pickup_point_get, pickup_point_search
from orders.models import DeliveryMethod, PaymentMethod
from orders.validators import MAX_LINE_QUANTITY, postcode_validator
from payments.cod import CodEligibility
from payments.selectors import checkout_payment_choices
from storefront.accounts.phone import normalize_phone
from storefront.core.money import format_money

QUANTITY_MESSAGE = _("Укажите количество от 1 до 99.")  # MAX_LINE_QUANTITY
SKU_MESSAGE = _("Такого товара нет в каталоге.")


class QuantityForm(forms.Form):
    quantity = forms.IntegerField(
        label=_("Количество"),
        min_value=1,
        max_value=MAX_LINE_QUANTITY,
        error_messages={
            "required": QUANTITY_MESSAGE,
            "invalid": QUANTITY_MESSAGE,
            "min_value": QUANTITY_MESSAGE,
            "max_value": QUANTITY_MESSAGE,
        },
    )

    def first_error(self) -> str:
        return next(iter(self.errors.values()))[0]


class AddForm(QuantityForm):
    sku = forms.IntegerField(
        min_value=1, error_messages={"required": SKU_MESSAGE, "invalid": SKU_MESSAGE, "min_value": SKU_MESSAGE}
    )


# --- checkout steps -------------------------------------------------------------------------------------------------


def _required(message):
    return {"required": message}


class ContactForm(forms.Form):
    contact_phone = forms.CharField(
        label=_("Телефон"),
        max_length=32,
        error_messages=_required(_("Укажите телефон: на него придёт SMS о заказе.")),
        widget=forms.TextInput(
            attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel", "placeholder": "+7 900 000-00-00"}
        ),
    )
    contact_email = forms.EmailField(
        label=_("Эл. почта"),
        required=False,
        help_text=_("Необязательно: пришлём копию заказа."),
        error_messages={"invalid": _("Проверьте адрес почты, например anna@example.ru.")},
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    recipient_name = forms.CharField(
        label=_("Имя и фамилия получателя"),
        max_length=150,
        error_messages=_required(_("Укажите имя и фамилию получателя.")),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )

    def clean_contact_phone(self) -> str:
        return normalize_phone(self.cleaned_data["contact_phone"])


class PostcodeField(forms.CharField):
    """Six digits; spaces people type ("101 000") are dropped before the check."""

    def to_python(self, value):
        return "".join(str(super().to_python(value)).split())


class AddressForm(forms.Form):
    postcode = PostcodeField(
        label=_("Индекс"),
        max_length=12,
        validators=[postcode_validator],
        error_messages=_required(_("Укажите почтовый индекс из 6 цифр.")),
        widget=forms.TextInput(attrs={"autocomplete": "postal-code", "inputmode": "numeric", "placeholder": "101000"}),
    )
    city = forms.CharField(
        label=_("Город или населённый пункт"),
        max_length=120,
        error_messages=_required(_("Укажите город или населённый пункт.")),
        widget=forms.TextInput(attrs={"autocomplete": "address-level2"}),
    )
    street = forms.CharField(
        label=_("Улица"),
        max_length=150,
        error_messages=_required(_("Укажите улицу.")),
        widget=forms.TextInput(attrs={"autocomplete": "address-line1"}),
    )
    house = forms.CharField(
        label=_("Дом, корпус"),
        max_length=20,
        error_messages=_required(_("Укажите номер дома.")),
    )
    flat = forms.CharField(label=_("Квартира или офис"), max_length=20, required=False)


class DeliveryForm(forms.Form):
    delivery_method = forms.ChoiceField(
        label=_("Способ доставки"),
        widget=forms.RadioSelect,
        error_messages={"required": _("Выберите способ доставки."), "invalid_choice": _("Выберите способ доставки.")},
    )

    pickup_point = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, delivery: CheckoutDelivery | None = None, pickup_query: str = "", **kwargs):
        """`delivery`: logistics' options with their costs for this cart and address, the promise and the duty
        (logistics.selectors.checkout_delivery_get); `pickup_query`: what the shopper searched pickup points for."""
        super().__init__(*args, **kwargs)
        self.delivery = delivery
        self.fields["delivery_method"].choices = (
            [(o.method, f"{o.label} — {format_money(o.cost)}") for o in delivery.options]
            if delivery is not None
            else DeliveryMethod.choices
        )
        self.pickup_query = " ".join((pickup_query or "").split())[:80]

    @cached_property
    def pickup_points(self) -> list:
        """Points for the search (or near the address), the chosen one first."""
        near = self.delivery.postcode if self.delivery is not None else ""
        points = pickup_point_search(query=self.pickup_query, near=near)
        raw = self.data.get("pickup_point") if self.is_bound else self.initial.get("pickup_point")
        selected = pickup_point_get(pk=raw)
        return [selected, *[p for p in points if p.pk != selected.pk]] if selected else points

    @property
    def selected_pickup_id(self) -> int | None:
        """The chosen point, or the nearest one to the address (pre-selected: most shoppers take it)."""
        raw = self.data.get("pickup_point") if self.is_bound else self.initial.get("pickup_point")
        point = pickup_point_get(pk=raw)
        if point is None and not self.pickup_query and self.pickup_points:
            point = self.pickup_points[0]
        return point.pk if point else None

    def clean(self):
        """A point the shopper did not choose is left empty: logistics then takes the one nearest to the address
        (or, with no points known there, the post office of the address's own postcode)."""
        cleaned = super().clean()
        self.pickup_point = None  # the chosen point, once valid
        if cleaned.get("delivery_method") != DeliveryMethod.POST_PICKUP:
            cleaned["pickup_point"] = None
        elif cleaned.get("pickup_point") is not None:
            self.pickup_point = pickup_point_get(pk=cleaned["pickup_point"])
            if self.pickup_point is None:
                self.add_error("pickup_point", _("Это отделение сейчас не выдаёт посылки. Выберите другое."))
        return cleaned


class RadioSelectWithDisabled(forms.RadioSelect):
    """Radio buttons some of which are shown but cannot be picked (`disabled_values`), never pre-selected."""

    disabled_values: frozenset = frozenset()

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):  # noqa: PLR0917 (Django's)
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        if value in self.disabled_values:
            option["attrs"]["disabled"] = True
            option["attrs"].pop("checked", None)
            option["selected"] = False
        return option


class PaymentForm(forms.Form):
    payment_method = forms.ChoiceField(
        label=_("Способ оплаты"),
        widget=RadioSelectWithDisabled,
        initial=PaymentMethod.CARD,
        error_messages={"required": _("Выберите способ оплаты."), "invalid_choice": _("Выберите способ оплаты.")},
    )

    def __init__(self, *args, total: Decimal | None = None, cod: CodEligibility | None = None, **kwargs):
        """`total`: the order's total so far (pay later is offered only where it fits, with its four parts).
        `cod`: whether pay on delivery is allowed (payments.cod.cod_eligibility); if not, it is shown disabled
        with the reason, and refused if posted anyway."""
        super().__init__(*args, **kwargs)
        field = self.fields["payment_method"]
        field.choices = checkout_payment_choices(total=total)
        self.cod = cod
        if cod is not None and not cod.ok:
            field.widget.disabled_values = frozenset({PaymentMethod.CASH_ON_DELIVERY})
            field.choices = [
                (value, format_html('{}<small class="choice-help cod-unavailable">{}</small>', label, cod.reason))
                if value == PaymentMethod.CASH_ON_DELIVERY
                else (value, label)
                for value, label in field.choices
            ]

    def clean_payment_method(self) -> str:
        method = self.cleaned_data["payment_method"]
        if method == PaymentMethod.CASH_ON_DELIVERY and self.cod is not None and not self.cod.ok:
            raise forms.ValidationError(self.cod.reason, code="cod_unavailable")
        return method
