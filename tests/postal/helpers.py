"""Running the tracking sync against the sandbox the way beat does, on the sandbox's clock."""

from __future__ import annotations

from logistics.postal.clock import SandboxClock
from logistics.postal.sync import SyncReport, tracking_sync
from tests.outbox.inline import run_outbox_jobs


def sync(post_sandbox, **kwargs) -> SyncReport:
    """One pass, then the jobs it queued (orders follow, notifications, COD reports), as relay + workers would."""
    report = tracking_sync(clock=SandboxClock(post_sandbox.base_url), **kwargs)
    run_outbox_jobs()
    return report


def sync_round(post_sandbox) -> SyncReport:
    """Ask for tickets, wait the partner's 15 minutes (sandbox time), collect the answers."""
    sync(post_sandbox)
    post_sandbox.advance(minutes=15)
    return sync(post_sandbox)


def journey_to(post_sandbox, parcel, *, days: float, scenario: str = "normal", kind: str = "china") -> SyncReport:
    """Put the parcel on its way in the sandbox, let `days` pass, and sync once around."""
    post_sandbox.parcel(parcel.tracking_number, scenario=scenario, kind=kind, index_to=parcel.postcode)
    post_sandbox.advance(days=days)
    report = sync_round(post_sandbox)
    parcel.refresh_from_db()
    parcel.order.refresh_from_db()
    return report
