"""The Celery app: queues split by kind, beat schedule in code."""

import os

from celery import Celery, signals
from celery.schedules import crontab
from kombu import Queue

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "storefront.settings.local")

app = Celery("storefront")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.task_queues = (Queue("default"), Queue("notifications"), Queue("partners"))
app.conf.task_routes = {
    "storefront.notifications.tasks.*": {"queue": "notifications"},
    "payments.tasks.*": {"queue": "partners"},
    "logistics.tasks.*": {"queue": "partners"},
    "logistics.postal.tasks.*": {"queue": "partners"},
    "storefront.catalog.tasks.pictures_fetch": {"queue": "partners"},  # feed pictures downloaded from partners
}
app.conf.beat_schedule = {
    # parcels for confirmed/paid orders, unsent parcels of cancelled orders cancelled (logistics/services/placement.py)
    "logistics-parcels-sync": {"task": "logistics.parcels.sync", "schedule": 60.0, "options": {"expires": 50}},
    # expires: while no worker runs, beat must not pile up thousands of relay runs in the queue.
    "outbox-relay": {"task": "storefront.outbox.tasks.outbox_relay", "schedule": 2.0, "options": {"expires": 10}},
    "outbox-cleanup": {"task": "storefront.outbox.tasks.outbox_cleanup", "schedule": crontab(hour=3, minute=17)},
    "login-code-cleanup": {
        "task": "storefront.accounts.tasks.login_code_cleanup",
        "schedule": crontab(hour=3, minute=41),
    },
    # the search typo dictionary recounted; words no product uses any more dropped (catalog/search_services.py)
    "catalog-search-dictionary-rebuild": {
        "task": "storefront.catalog.tasks.search_dictionary_rebuild",
        "schedule": crontab(hour=4, minute=23),
    },
    # payments whose webhook never came are settled by asking the provider
    "payments-poll-open": {"task": "payments.tasks.payments_poll_open", "schedule": 60.0, "options": {"expires": 50}},
    # orders waiting for payment: a reminder, then cancellation (stock back); payments/abandoned.py
    "payments-abandoned": {
        "task": "payments.tasks.payments_abandoned_process",
        "schedule": 300.0,
        "options": {"expires": 250},
    },
    # the postal tracking sync (logistics/postal/sync.py): tickets asked and answers collected on each pass
    "postal-tracking-sync": {
        "task": "logistics.postal.tasks.tracking_sync",
        "schedule": 300.0,
        "options": {"expires": 280},
    },
    # orders a lost or failed tracking react job left behind follow their parcels (logistics/postal/services.py)
    "postal-orders-follow-sweep": {
        "task": "logistics.postal.tasks.orders_follow_sweep",
        "schedule": 900.0,
        "options": {"expires": 800},
    },
    # packed parcels registered with the post (Otpravka); the barcode becomes the tracking number
    "postal-register": {
        "task": "logistics.postal.tasks.parcels_register",
        "schedule": 120.0,
        "options": {"expires": 110},
    },
}
app.autodiscover_tasks()


@signals.setup_logging.connect
def _keep_django_logging(**kwargs):
    """Workers and beat log through Django's LOGGING (JSON lines), not Celery's own format."""


@signals.task_prerun.connect
@signals.task_postrun.connect
def _task_id_in_logs(signal=None, task_id=None, **kwargs):
    """A task's log lines carry its id (for outbox jobs: the outbox key) where requests carry theirs."""
    from storefront.core.logging import request_id_var

    request_id_var.set(task_id if signal is signals.task_prerun else "-")
