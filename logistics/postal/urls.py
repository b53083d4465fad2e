from django.urls import path

from . import views

app_name = "postal"
urlpatterns = [
    path("track/", views.track_form, name="track_form"),
    path("track/<str:number>/", views.track, name="track"),
]
