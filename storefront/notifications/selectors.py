from .kinds import OPTIONAL_CATEGORIES, Category, Channel, Kind
from .models import NotificationPreference


def notification_preferences_get(*, user) -> dict[tuple[str, str], bool]:
    """{(channel, category): enabled} for every switchable pair, defaults filled in."""
    prefs = {(channel, category): default for channel in Channel for category, default in OPTIONAL_CATEGORIES.items()}
    for channel, category, enabled in NotificationPreference.objects.filter(user=user).values_list(
        "channel", "category", "enabled"
    ):
        prefs[(channel, category)] = enabled
    return prefs


def notification_allowed(*, user, kind: Kind, channel: str) -> bool:
    if kind.category == Category.TRANSACTIONAL or user is None:
        return True  # a code must reach whoever asked for it; a guest has no preferences to honour
    row = NotificationPreference.objects.filter(user=user, channel=channel, category=kind.category).first()
    return row.enabled if row else OPTIONAL_CATEGORIES[kind.category]
