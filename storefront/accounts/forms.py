from django import forms
from django.utils.translation import gettext_lazy as _

from .phone import normalize_phone

BAD_CODE = _("Введите 6 цифр из SMS.")


class PhoneForm(forms.Form):
    phone = forms.CharField(label=_("Номер телефона"), max_length=32)

    def clean_phone(self) -> str:
        return normalize_phone(self.cleaned_data["phone"])


class CodeForm(forms.Form):
    code = forms.CharField(label=_("Код из SMS"), max_length=12, error_messages={"required": BAD_CODE})

    def clean_code(self) -> str:
        code = "".join(self.cleaned_data["code"].split())  # "123 456" from a copied SMS is fine
        if len(code) != 6 or not (code.isascii() and code.isdigit()):
            raise forms.ValidationError(BAD_CODE, code="bad_code")
        return code
