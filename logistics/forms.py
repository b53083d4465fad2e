from django import forms
from django.utils.translation import gettext_lazy as _

from orders.validators import postcode_validator


class CompactCharField(forms.CharField):
    """Spaces people type ("101 000") dropped before validation."""

    def to_python(self, value):
        return "".join(str(super().to_python(value)).split())


class PostcodeForm(forms.Form):
    postcode = CompactCharField(
        label=_("Ваш индекс"),
        max_length=12,
        validators=[postcode_validator],
        error_messages={"required": _("Укажите почтовый индекс из 6 цифр.")},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "postal-code", "placeholder": "101000"}),
    )
