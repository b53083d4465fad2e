"""The Celery app: queues split by kind, beat schedule in code."""

import os

from celery import Celery
from kombu import Queue

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "storefront.settings.local")

app = Celery("storefront")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.task_queues = (Queue("default"), Queue("notifications"), Queue("partners"))
app.conf.task_routes = {
    "storefront.notifications.tasks.*": {"queue": "notifications"},
    "payments.tasks.*": {"queue": "partners"},
    "logistics.tasks.*": {"queue": "partners"},
}
app.conf.beat_schedule = {
    "outbox-relay": {"task": "storefront.outbox.tasks.outbox_relay", "schedule": 2.0},
}
app.autodiscover_tasks()
