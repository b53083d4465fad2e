# Orders keep exact-match indexes only (support looks orders up by whole number, phone, email): Django's
# varchar_pattern_ops copies and two indexes that composite ones cover are dropped. The database side renames the
# indexes and constraints that stay instead of building them again, so the migration takes its locks for moments,
# not for an index build over every order (the state side is what makemigrations wrote).

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0006_lines_current_check"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    state_operations = [
        migrations.AlterField(
            model_name="order",
            name="contact_email",
            field=models.EmailField(blank=True, max_length=254, verbose_name="эл. почта"),
        ),
        migrations.AlterField(
            model_name="order",
            name="contact_phone",
            field=models.CharField(help_text="В формате E.164", max_length=16, verbose_name="телефон"),
        ),
        migrations.AlterField(
            model_name="order",
            name="idempotency_key",
            field=models.CharField(editable=False, max_length=64, verbose_name="ключ идемпотентности"),
        ),
        migrations.AlterField(
            model_name="order",
            name="number",
            field=models.CharField(editable=False, max_length=24, verbose_name="номер"),
        ),
        migrations.AlterField(
            model_name="order",
            name="user",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="orders",
                to=settings.AUTH_USER_MODEL,
                verbose_name="покупатель",
            ),
        ),
        migrations.AlterField(
            model_name="orderline",
            name="order",
            field=models.ForeignKey(
                db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name="lines", to="orders.order"
            ),
        ),
        migrations.AddIndex(
            model_name="order",
            index=models.Index(fields=["contact_phone"], name="order_contact_phone"),
        ),
        migrations.AddIndex(
            model_name="order",
            index=models.Index(fields=["contact_email"], name="order_contact_email"),
        ),
        migrations.AddConstraint(
            model_name="order",
            constraint=models.UniqueConstraint(fields=("number",), name="order_number_unique"),
        ),
        migrations.AddConstraint(
            model_name="order",
            constraint=models.UniqueConstraint(fields=("idempotency_key",), name="order_idempotency_key_unique"),
        ),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=state_operations,
            database_operations=[
                migrations.RunSQL(
                    sql=[
                        "ALTER TABLE orders_order RENAME CONSTRAINT orders_order_number_key TO order_number_unique",
                        "ALTER TABLE orders_order RENAME CONSTRAINT orders_order_idempotency_key_key"
                        " TO order_idempotency_key_unique",
                        "ALTER INDEX orders_order_contact_phone_0d717468 RENAME TO order_contact_phone",
                        "ALTER INDEX orders_order_contact_email_65fc0807 RENAME TO order_contact_email",
                        "DROP INDEX IF EXISTS orders_order_number_abc9e0f2_like",
                        "DROP INDEX IF EXISTS orders_order_idempotency_key_992d7a80_like",
                        "DROP INDEX IF EXISTS orders_order_contact_phone_0d717468_like",
                        "DROP INDEX IF EXISTS orders_order_contact_email_65fc0807_like",
                        "DROP INDEX IF EXISTS orders_order_user_id_e9b59eb1",
                        "DROP INDEX IF EXISTS orders_orderline_order_id_17f8f3ef",
                    ],
                    reverse_sql=[
                        "CREATE INDEX orders_orderline_order_id_17f8f3ef ON orders_orderline (order_id)",
                        "CREATE INDEX orders_order_user_id_e9b59eb1 ON orders_order (user_id)",
                        "CREATE INDEX orders_order_contact_email_65fc0807_like"
                        " ON orders_order (contact_email varchar_pattern_ops)",
                        "CREATE INDEX orders_order_contact_phone_0d717468_like"
                        " ON orders_order (contact_phone varchar_pattern_ops)",
                        "CREATE INDEX orders_order_idempotency_key_992d7a80_like"
                        " ON orders_order (idempotency_key varchar_pattern_ops)",
                        "CREATE INDEX orders_order_number_abc9e0f2_like ON orders_order (number varchar_pattern_ops)",
                        "ALTER INDEX order_contact_email RENAME TO orders_order_contact_email_65fc0807",
                        "ALTER INDEX order_contact_phone RENAME TO orders_order_contact_phone_0d717468",
                        "ALTER TABLE orders_order RENAME CONSTRAINT order_idempotency_key_unique"
                        " TO orders_order_idempotency_key_key",
                        "ALTER TABLE orders_order RENAME CONSTRAINT order_number_unique TO orders_order_number_key",
                    ],
                ),
            ],
        ),
    ]
