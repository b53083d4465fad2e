from django.http import HttpResponse


def constant_view(request):
    """The ceiling: the whole middleware stack, no database, no template."""
    return HttpResponse(b"ok", content_type="text/plain")
