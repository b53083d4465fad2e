from django.urls import path

from storefront.notifications import views as notification_views

from . import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("login/code/", views.login_code_view, name="login_code"),
    path("login/resend/", views.login_resend_view, name="login_resend"),
    path("logout/", views.logout_view, name="logout"),
    path("notifications/", notification_views.preferences_view, name="notifications"),
]
