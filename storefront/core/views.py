from django.http import HttpResponseServerError
from django.shortcuts import render
from django.template import loader


def home(request):
    return render(request, "core/home.html")


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    # No context processors that could fail again: the 500 page renders from a plain template.
    return HttpResponseServerError(loader.get_template("500.html").render({}))
