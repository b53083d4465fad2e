from django.db import migrations

# Aborts the statement that places an order unless every line's stock was taken (orders/services/placing.py):
# a SKU whose price, currency, sale or stock changed between the read and the lock. Raised as a check violation
# naming orders_place_lines_current, so the caller tells it from the order's own constraints.
CREATE = """
CREATE OR REPLACE FUNCTION orders_lines_current(ok boolean) RETURNS boolean
LANGUAGE plpgsql AS $$
BEGIN
    IF NOT ok THEN
        RAISE EXCEPTION 'an SKU of the order changed (price, currency, sale or stock) after it was read'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'orders_place_lines_current';
    END IF;
    RETURN true;
END
$$;
"""
DROP = "DROP FUNCTION IF EXISTS orders_lines_current(boolean);"


class Migration(migrations.Migration):
    dependencies = [("orders", "0005_payment_method_label")]

    operations = [migrations.RunSQL(CREATE, DROP)]
