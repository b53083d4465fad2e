"""Pay on delivery per parcel: an order split into several parcels has one CodCollection per parcel, each with the
amount the post collects in it (existing rows: the whole payment, in one parcel)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0003_payment_methods"),
        ("payments", "0005_cod_remittance_by_line"),
    ]

    operations = [
        migrations.AlterField(
            model_name="codcollection",
            name="payment",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="cod_collections",
                to="payments.payment",
                verbose_name="платёж",
            ),
        ),
        migrations.AlterField(
            model_name="codcollection",
            name="order",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="cod_collections",
                to="orders.order",
                verbose_name="заказ",
            ),
        ),
        migrations.AddField(
            model_name="codcollection",
            name="parcel_reference",
            field=models.CharField(
                blank=True,
                default="",
                help_text="Номер посылки в доставке; пусто — пока не разделён.",
                max_length=40,
                verbose_name="посылка",
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="codcollection",
            name="amount",
            field=models.DecimalField(decimal_places=2, max_digits=12, null=True, verbose_name="к получению"),
        ),
        migrations.RunSQL(
            "UPDATE payments_codcollection c SET amount = p.amount FROM payments_payment p WHERE p.id = c.payment_id",
            migrations.RunSQL.noop,
        ),
        migrations.AlterField(
            model_name="codcollection",
            name="amount",
            field=models.DecimalField(decimal_places=2, max_digits=12, verbose_name="к получению"),
        ),
        migrations.AddField(
            model_name="codcollection",
            name="refused_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="не выкуплен"),
        ),
        migrations.AddConstraint(
            model_name="codcollection",
            constraint=models.UniqueConstraint(fields=("payment", "parcel_reference"), name="cod_one_row_per_parcel"),
        ),
        migrations.AddConstraint(
            model_name="codcollection",
            constraint=models.CheckConstraint(condition=models.Q(("amount__gt", 0)), name="cod_amount_positive"),
        ),
        migrations.AddConstraint(
            model_name="codcollection",
            constraint=models.CheckConstraint(
                condition=models.Q(("collected_at__isnull", True), ("refused_at__isnull", True), _connector="OR"),
                name="cod_collected_xor_refused",
            ),
        ),
    ]
