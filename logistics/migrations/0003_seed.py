"""Seed the region table, promise rules, cut-offs, tariffs, customs regimes and sample pickup points."""

from django.db import migrations

from logistics import seed


def forward(apps, schema_editor):
    get = apps.get_model
    seed.regions_load(get("logistics", "Region"))
    seed.rules_seed(
        PromiseRule=get("logistics", "PromiseRule"),
        DispatchCutoff=get("logistics", "DispatchCutoff"),
        DeliveryTariff=get("logistics", "DeliveryTariff"),
        CustomsRule=get("logistics", "CustomsRule"),
    )
    seed.pickup_points_seed(get("logistics", "PickupPoint"))


class Migration(migrations.Migration):
    dependencies = [("logistics", "0002_rules_regions_pickup_customs")]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
