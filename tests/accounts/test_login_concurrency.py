import threading
import time

import pytest
from django.db import connection, transaction

from storefront.accounts.exceptions import CodeUsed
from storefront.accounts.models import LoginCode, User
from storefront.accounts.services import login_code_verify

from .conftest import PHONE

THREADS = 6


def _wait_until_sessions_wait_for_locks(count: int) -> None:
    """Poll PostgreSQL until `count` other sessions are blocked on a lock (a readiness check, not a timing bet)."""
    deadline = time.monotonic() + 10
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute("SELECT pg_stat_clear_snapshot()")  # inside a transaction the view is otherwise frozen
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0] >= count:
                return
            time.sleep(0.01)
    pytest.fail(f"{count} verifications never queued up on the code row")


@pytest.mark.django_db(transaction=True)
def test_same_code_sent_by_parallel_requests_logs_in_only_once(send_code):
    code = send_code()
    outcomes: list[str] = []

    def verify(n: int) -> None:
        try:
            login_code_verify(phone=PHONE, code=code, ip=f"203.0.113.{n}")
            outcomes.append("logged in")
        except CodeUsed:
            outcomes.append("used")
        finally:
            connection.close()

    threads = [threading.Thread(target=verify, args=(n,)) for n in range(THREADS)]
    # Hold the code row so every request is inside verification before any of them can finish.
    with transaction.atomic():
        LoginCode.objects.select_for_update().get(phone=PHONE)
        for thread in threads:
            thread.start()
        _wait_until_sessions_wait_for_locks(THREADS)
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["logged in"] + ["used"] * (THREADS - 1)
    assert User.objects.filter(phone=PHONE).count() == 1
    assert LoginCode.objects.get().used_at is not None
