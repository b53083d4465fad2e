from datetime import timedelta

import pytest
from django.utils import timezone

from storefront.accounts.models import LoginCode
from storefront.accounts.services import login_code_cleanup
from storefront.accounts.tasks import login_code_cleanup as login_code_cleanup_task
from storefront.celery import app

pytestmark = pytest.mark.django_db


def test_cleanup_deletes_codes_that_expired_more_than_a_day_ago(send_code):
    send_code()
    assert login_code_cleanup(now=timezone.now() + timedelta(days=1, minutes=10)) == 1
    assert not LoginCode.objects.exists()


def test_cleanup_keeps_codes_that_expired_less_than_a_day_ago(send_code):
    send_code()
    assert login_code_cleanup(now=timezone.now() + timedelta(hours=23)) == 0
    assert LoginCode.objects.count() == 1


def test_cleanup_never_deletes_a_live_code(send_code, settings):
    settings.STORE_OTP_TTL_SECONDS = 3 * 24 * 3600
    send_code()
    assert login_code_cleanup(now=timezone.now() + timedelta(days=2)) == 0


def test_cleanup_run_twice_deletes_nothing_the_second_time(send_code):
    send_code()
    later = timezone.now() + timedelta(days=2)
    login_code_cleanup(now=later)
    assert login_code_cleanup(now=later) == 0


def test_beat_schedules_the_cleanup_task():
    assert app.conf.beat_schedule["login-code-cleanup"]["task"] == login_code_cleanup_task.name
