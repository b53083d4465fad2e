from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from logistics.tracking_numbers import tracking_number_parse


class TrackingNumberForm(forms.Form):
    number = forms.CharField(
        label=_("Трек-номер"),
        max_length=40,
        help_text=_("Он есть в письме и SMS об отправке и на странице заказа."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "placeholder": "RA123456785CN"}),
    )

    def clean_number(self) -> str:
        try:
            return tracking_number_parse(self.cleaned_data["number"]).number
        except ValidationError as exc:
            raise forms.ValidationError(exc.messages[0], code=exc.code) from exc
