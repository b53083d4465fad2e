class NotificationError(Exception):
    """Base of the notifications app's errors (none of them is shown to shoppers)."""


class UnknownKind(NotificationError):
    """A programming error: the kind or its channel has no templates."""


class MissingContext(NotificationError):
    """A programming error: the caller left out a value the kind's templates show."""


class DeliveryFailed(NotificationError):
    """The SMS gateway or mail server refused or was unreachable; the task retries with backoff."""
