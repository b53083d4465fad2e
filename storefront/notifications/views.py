from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from .forms import PreferencesForm
from .kinds import Category, Channel
from .selectors import notification_preferences_get
from .services import notification_preferences_update


@login_required
@require_http_methods(["GET", "POST"])
def preferences_view(request):
    current = notification_preferences_get(user=request.user)
    form = PreferencesForm(request.POST or None, initial_choices=current)
    if request.method == "POST" and form.is_valid():
        notification_preferences_update(user=request.user, actor=request.user, choices=form.choices())
        messages.success(request, _("Настройки уведомлений сохранены."))
        return redirect("accounts:notifications")
    return render(
        request,
        "notifications/preferences.html",
        {"form": form, "channels": Channel, "transactional": Category.TRANSACTIONAL},
    )
