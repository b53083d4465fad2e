import pytest

from logistics import seed
from logistics.models import (
    CustomsRule,
    DeliveryTariff,
    DispatchCutoff,
    PickupPoint,
    PromiseRule,
    Region,
)


@pytest.fixture(autouse=True)
def _reference_data(request):
    """The seeded regions, rules and pickup points (data migration 0003). A transactional test elsewhere in the
    run empties every table when it ends, so put them back when they are missing (the seed is idempotent)."""
    marker = request.node.get_closest_marker("django_db")
    if marker is None:
        return
    request.getfixturevalue("transactional_db" if marker.kwargs.get("transaction") else "db")
    if not Region.objects.exists():
        seed.regions_load(Region)
        seed.rules_seed(
            PromiseRule=PromiseRule,
            DispatchCutoff=DispatchCutoff,
            DeliveryTariff=DeliveryTariff,
            CustomsRule=CustomsRule,
        )
        seed.pickup_points_seed(PickupPoint)
