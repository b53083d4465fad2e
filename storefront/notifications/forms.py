from django import forms

from .kinds import OPTIONAL_CATEGORIES, Channel


def _field_name(channel: str, category: str) -> str:
    return f"{channel}_{category}"


class PreferencesForm(forms.Form):
    """One checkbox per (channel, switchable category); unchecked boxes simply are not posted."""

    def __init__(self, *args, initial_choices: dict[tuple[str, str], bool], **kwargs):
        super().__init__(*args, **kwargs)
        for (channel, category), enabled in initial_choices.items():
            self.fields[_field_name(channel, category)] = forms.BooleanField(required=False, initial=enabled)

    def rows(self):
        """[(category, [(channel, bound field)])] for the template's table."""
        return [
            (category, [(channel, self[_field_name(channel, category)]) for channel in Channel])
            for category in OPTIONAL_CATEGORIES
        ]

    def choices(self) -> dict[tuple[str, str], bool]:
        return {
            (channel, category): self.cleaned_data[_field_name(channel, category)]
            for channel in Channel
            for category in OPTIONAL_CATEGORIES
        }
