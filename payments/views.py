"""The provider's notifications endpoint. It answers fast: check the sender, read the body, queue the work."""

from __future__ import annotations

import logging

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from kombu.exceptions import OperationalError

from storefront.core.http import client_ip

from .exceptions import InvalidNotification
from .tasks import payment_notification_process, refund_notification_process
from .webhooks import notification_parse, sender_allowed

log = logging.getLogger("payments.webhooks")


@csrf_exempt
@require_POST
def webhook(request: HttpRequest) -> HttpResponse:
    """200 = taken (the provider stops retrying); 403/400 for what is not the provider's; 503 if we cannot queue.

    The sender's address comes from client_ip: REMOTE_ADDR, or behind our proxies (STORE_TRUSTED_PROXY_HOPS) the
    X-Forwarded-For entry our outermost proxy wrote, never one the sender wrote itself."""
    address = client_ip(request) or ""
    if not sender_allowed(address):
        log.warning("webhook from %s refused: not in the allow-list", address)
        return HttpResponse(status=403)
    try:
        notification = notification_parse(request.body)
    except InvalidNotification as exc:
        log.warning("webhook from %s refused: %s", address, exc)
        return HttpResponse(status=400)
    if not notification.handled:
        return HttpResponse(status=200)
    try:
        if notification.is_refund:
            refund_notification_process.delay(provider_refund_id=notification.object_id)
        else:
            payment_notification_process.delay(provider_payment_id=notification.object_id, event=notification.event)
    except OperationalError:  # the broker is down: let the provider retry later
        log.exception("webhook %s %s could not be queued", notification.event, notification.object_id)
        return HttpResponse(status=503)
    return HttpResponse(status=200)
