"""How the session's user authenticated: the admin wants a password, a code from an SMS alone is not enough.

The SMS login view marks its session (`session_mark_sms`) right after `login()`. Every login first drops the mark
(`on_user_logged_in`): `login()` keeps the session's data when the same user logs in again, so a staff member who
came by SMS and then enters the password in the admin is no longer SMS-only.
"""

AUTH_METHOD_KEY = "auth_method"
AUTH_METHOD_SMS = "sms"


def session_mark_sms(request) -> None:
    request.session[AUTH_METHOD_KEY] = AUTH_METHOD_SMS


def session_is_sms_only(request) -> bool:
    return request.session.get(AUTH_METHOD_KEY) == AUTH_METHOD_SMS


def on_user_logged_in(sender, request, user, **kwargs) -> None:
    if request is not None and hasattr(request, "session"):
        request.session.pop(AUTH_METHOD_KEY, None)
