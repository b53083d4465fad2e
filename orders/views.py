"""A shopper's orders: history, one order, and a guest's order through the signed link from the SMS."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .selectors import order_get_by_guest_token, order_get_for_user, order_list_for_user

PAGE_SIZE = 20


@require_GET
@login_required
def order_list_view(request):
    page = Paginator(order_list_for_user(user=request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "orders/list.html", {"page": page, "orders": page.object_list})


@require_GET
@login_required
def order_detail_view(request, number: str):
    order = order_get_for_user(user=request.user, number=number)
    if order is None:  # someone else's order looks exactly like one that does not exist
        raise Http404
    return render(request, "orders/detail.html", {"order": order, "just_placed": "placed" in request.GET})


@require_GET
def order_guest_view(request, token: str):
    order = order_get_by_guest_token(token=token)
    if order is None:
        raise Http404
    return render(
        request, "orders/detail.html", {"order": order, "just_placed": "placed" in request.GET, "guest_view": True}
    )
