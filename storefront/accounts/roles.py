"""Staff groups and what each may do in the admin.

The groups are created by migration 0003; their permissions are granted here after every `migrate`, because other
apps' permissions do not exist when that migration runs. Granting only adds: what staff added by hand stays.
"""

from django.contrib.auth.models import Group, Permission
from django.db import DEFAULT_DB_ALIAS
from django.db.models import Q

LOGISTICS_RULE_MODELS = ("region", "promiserule", "dispatchcutoff", "deliverytariff", "customsrule", "pickuppoint")
LOGISTICS_MODELS = (
    *LOGISTICS_RULE_MODELS,
    "parcel",
    "parcelline",
    "parcelstatuschange",
    "orderdelivery",
    "customsdeclaration",
    "customsdeclarationline",
    "dispatch",
)
POSTAL_MODELS = ("trackingevent", "trackingticket", "trackingpoll")
STAFF_GROUP_PERMISSIONS: dict[str, list[str]] = {
    "support": [
        "orders.view_order",
        "orders.change_order",
        "orders.view_orderline",
        "orders.view_orderstatuschange",
        "cart.view_cart",
        "cart.view_cartline",
        "catalog.view_category",
        "catalog.view_brand",
        "catalog.view_product",
        "catalog.view_sku",
        "accounts.view_user",
        "notifications.view_notification",
        # payments: timelines, refunds (add_refund = may refund), bank transfers for pay-on-delivery refunds
        "payments.view_payment",
        "payments.view_paymentevent",
        "payments.view_refund",
        "payments.add_refund",
        "payments.view_banktransferrefundrequest",
        "payments.change_banktransferrefundrequest",
        # pay on delivery: collections, refusal flags (change = may clear one), exclusions, reconciliations
        "payments.view_codcollection",
        "payments.view_codcustomerflag",
        "payments.change_codcustomerflag",
        "payments.view_codexclusion",
        "payments.view_codreconciliation",
        "payments.view_codremittanceline",
        # logistics: parcels with their history, delivery records, CN23, dispatches, pickup points, the rules
        *(f"logistics.view_{m}" for m in LOGISTICS_MODELS),
        # the postal partner's raw events and the sync's tickets (read-only; "refresh now" on a parcel)
        *(f"postal.view_{m}" for m in POSTAL_MODELS),
    ],
    "ops": [
        "catalog.add_category",
        "catalog.change_category",
        "catalog.add_brand",
        "catalog.change_brand",
        "catalog.add_product",
        "catalog.change_product",
        "catalog.add_sku",
        "catalog.change_sku",
        # searches that found nothing: the catalog team reads them and clears the ones dealt with
        "catalog.view_searchmiss",
        "catalog.delete_searchmiss",
        "orders.view_order",
        "orders.view_orderline",
        "orders.view_orderstatuschange",
        # pay on delivery: exclusions (e.g. a flash sale) and the remittance reconciliations ops load
        "payments.view_codexclusion",
        "payments.add_codexclusion",
        "payments.change_codexclusion",
        "payments.delete_codexclusion",
        "payments.view_codcollection",
        "payments.view_codreconciliation",
        "payments.view_codremittanceline",
        # logistics: the rules and pickup points are ops' data; CN23 lines corrected before a manifest goes out
        *(f"logistics.view_{m}" for m in LOGISTICS_MODELS),
        *(f"logistics.{a}_{m}" for m in LOGISTICS_RULE_MODELS for a in ("add", "change", "delete")),
        "logistics.change_dispatch",
        # parcels through the services: pack their orders, register with the post, make/fill/hand over dispatches
        "logistics.handle_parcel",
        "logistics.change_customsdeclaration",
        *(f"logistics.{a}_customsdeclarationline" for a in ("add", "change", "delete")),
        *(f"postal.view_{m}" for m in POSTAL_MODELS),
    ],
}
ROLE_APP_LABELS = {perm.split(".")[0] for perms in STAFF_GROUP_PERMISSIONS.values() for perm in perms}


def staff_groups_sync(*, using: str = DEFAULT_DB_ALIAS) -> None:
    """Create the staff groups and grant them those of their permissions that exist by now (idempotent)."""
    for name, perms in STAFF_GROUP_PERMISSIONS.items():
        group, _created = Group.objects.using(using).get_or_create(name=name)
        wanted = Q()
        for perm in perms:
            app_label, codename = perm.split(".")
            wanted |= Q(content_type__app_label=app_label, codename=codename)
        group.permissions.add(*Permission.objects.using(using).filter(wanted))


def on_post_migrate(sender, using: str = DEFAULT_DB_ALIAS, **kwargs) -> None:
    # post_migrate is sent once per app, after auth has created that app's permissions
    if sender.label in ROLE_APP_LABELS:
        staff_groups_sync(using=using)
