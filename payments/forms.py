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
