"""Login by a one-time SMS code: step 1 asks for the phone, step 2 for the code.

Both steps are plain form posts; htmx swaps the next step into #login-box. htmx swaps only 2xx responses, so
errors come back to it with status 200 and to plain posts with 400/429.
"""

from urllib.parse import urlencode

from django.contrib.auth import login, logout
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect, push_url

from storefront.core.http import client_ip

from .exceptions import LoginCodeError, RateLimited, ResendTooSoon
from .forms import CodeForm, PhoneForm
from .phone import display_phone
from .services import login_code_cooldown_left, login_code_send, login_code_verify
from .sessions import session_mark_sms

SESSION_PHONE = "login_phone"  # the phone a code was last sent to from this browser


def _next_url(request) -> str:
    url = request.POST.get("next") or request.GET.get("next") or ""
    safe = url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}, require_https=request.is_secure())
    return url if safe else "/"


def _code_url(request) -> str:
    return f"{reverse('accounts:login_code')}?{urlencode({'next': _next_url(request)})}"


def _redirect(request, url: str):
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


def _render(request, step: str, status: int = 200, **context):
    template = f"accounts/partials/{step}.html"
    context.update(step_template=template, next=_next_url(request))
    phone = request.session.get(SESSION_PHONE)
    if step == "code_step":
        context.update(phone=phone, phone_display=display_phone(phone), cooldown=login_code_cooldown_left(phone=phone))
    if request.htmx:
        return render(request, template, context)
    return render(request, "accounts/login.html", context, status=status)


@require_http_methods(["GET", "POST"])
def login_view(request):
    if request.method == "GET":
        return _render(request, "phone_step", form=PhoneForm())
    form = PhoneForm(request.POST)
    if not form.is_valid():
        return _render(request, "phone_step", status=400, form=form)
    phone = form.cleaned_data["phone"]
    try:
        login_code_send(phone=phone, ip=client_ip(request))
    except RateLimited as exc:
        if not isinstance(exc, ResendTooSoon) and request.session.get(SESSION_PHONE) != phone:
            return _render(request, "phone_step", status=429, form=form, error=exc.message)
        # a code to this phone is already on its way: stay on the code step (its resend block shows the wait)
        request.session[SESSION_PHONE] = phone
        error = None if isinstance(exc, ResendTooSoon) else exc.message
        return _render(request, "code_step", status=429, form=CodeForm(), error=error)
    request.session[SESSION_PHONE] = phone
    if request.htmx:
        return push_url(_render(request, "code_step", form=CodeForm()), _code_url(request))
    return redirect(_code_url(request))


@require_http_methods(["GET", "POST"])
def login_code_view(request):
    phone = request.session.get(SESSION_PHONE)
    if not phone:
        return _redirect(request, f"{reverse('accounts:login')}?{urlencode({'next': _next_url(request)})}")
    if request.method == "GET":
        return _render(request, "code_step", form=CodeForm())
    form = CodeForm(request.POST)
    if not form.is_valid():
        return _render(request, "code_step", status=400, form=form)
    try:
        user = login_code_verify(phone=phone, code=form.cleaned_data["code"], ip=client_ip(request))
    except RateLimited as exc:
        return _render(request, "code_step", status=429, form=form, error=exc.message)
    except LoginCodeError as exc:
        form.add_error("code", exc.message)
        return _render(request, "code_step", status=400, form=form)
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    session_mark_sms(request)  # the admin wants a password on top of this (admin_site.py)
    request.session.pop(SESSION_PHONE, None)
    return _redirect(request, _next_url(request))


@require_GET
def login_resend_view(request):
    """The resend block alone: htmx reloads it when the cooldown ends."""
    phone = request.session.get(SESSION_PHONE)
    context = {"phone": phone, "next": _next_url(request), "cooldown": login_code_cooldown_left(phone=phone or "")}
    return render(request, "accounts/partials/resend.html", context)


@require_POST
def logout_view(request):
    logout(request)
    return redirect("/")
