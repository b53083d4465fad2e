from celery import shared_task

from . import services


@shared_task(name="storefront.accounts.tasks.login_code_cleanup", ignore_result=True)
def login_code_cleanup() -> int:
    """Beat runs this nightly. Idempotent: a rerun finds nothing to delete; a failed run is the next night's work."""
    return services.login_code_cleanup()
