"""The admin site: staff get in only with their password; a session opened by an SMS code is sent to the login form."""

from django.contrib import admin

from .sessions import session_is_sms_only


class StoreAdminSite(admin.AdminSite):
    login_template = "accounts/admin_login.html"

    def has_permission(self, request) -> bool:
        return super().has_permission(request) and not session_is_sms_only(request)

    def login(self, request, extra_context=None):
        sms_only = request.user.is_authenticated and session_is_sms_only(request)
        return super().login(request, extra_context={"sms_only": sms_only, **(extra_context or {})})
