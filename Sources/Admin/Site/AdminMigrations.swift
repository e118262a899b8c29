import Web

/// Indexes behind the change lists' filters and sort orders, so a page of a
/// list of 100,000 rows costs the same as one of 100.
enum AdminMigrations {
    static let all: [Migration] = [
        Migration(app: "admin", name: "0001_changelist_indexes", sql: """
            CREATE INDEX IF NOT EXISTS shop_product_updated_idx ON shop_product (updated);
            CREATE INDEX IF NOT EXISTS shop_product_price_idx ON shop_product (price);
            CREATE INDEX IF NOT EXISTS shop_product_slug_idx ON shop_product (slug);
            CREATE INDEX IF NOT EXISTS shop_product_available_name_idx ON shop_product (available, name);
            CREATE INDEX IF NOT EXISTS orders_order_updated_idx ON orders_order (updated);
            CREATE INDEX IF NOT EXISTS orders_order_paid_created_idx ON orders_order (paid, created);
            """),
    ]
}
