from django.db import migrations

# A category listing sorted by price or newness walked the catalog-wide index (product_price, product_price_desc,
# created_at) until it met 24 products of its category: 100+ ms for a category whose prices sit at the far end
# (smartphones by price: 137 ms at 100,000 products; 7 ms on these). Per category, in each listing order, with the
# id tiebreak; a subtree merges its categories' heads (selectors_listing._page_ids_merged).
# The option filter ("Размер: M") looked at every SKU's options (a sequential scan of 280,000 rows, 100+ ms per
# count); the GIN index finds the SKUs with that option.
INDEXES = {
    "product_cat_price": "catalog_product (category_id, min_price_rub ASC NULLS LAST, id ASC) WHERE is_active",
    "product_cat_price_desc": "catalog_product (category_id, min_price_rub DESC NULLS LAST, id DESC) WHERE is_active",
    "product_cat_new": "catalog_product (category_id, created_at DESC, id DESC) WHERE is_active",
    "sku_options_gin": "catalog_sku USING gin (options jsonb_path_ops) WHERE is_active",
}


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0003_search_price_desc"),
    ]

    operations = [
        migrations.RunSQL(f"CREATE INDEX IF NOT EXISTS {name} ON {target}", f"DROP INDEX IF EXISTS {name}")
        for name, target in INDEXES.items()
    ]
