import Web

/// The orders app (Django's `orders`): checkout and the order tables.
public enum OrdersApp: App {
    public static let label = "orders"

    public static let migrations: [Migration] = [
        Migration(app: "orders", name: "0001_initial", sql: """
            CREATE TABLE orders_order (
                id bigserial PRIMARY KEY,
                first_name varchar(50) NOT NULL,
                last_name varchar(50) NOT NULL,
                email varchar(254) NOT NULL,
                address varchar(250) NOT NULL,
                postal_code varchar(20) NOT NULL,
                city varchar(100) NOT NULL,
                created timestamptz NOT NULL DEFAULT now(),
                updated timestamptz NOT NULL DEFAULT now(),
                paid boolean NOT NULL DEFAULT false,
                -- The cart's checkout token (see Cart): one cart never becomes two
                -- orders. NULL for orders written by other tools (the admin, imports).
                checkout_token varchar(64) NULL,
                CONSTRAINT orders_order_checkout_token_key UNIQUE (checkout_token)
            );
            CREATE INDEX orders_order_created_idx ON orders_order (created DESC);
            CREATE TABLE orders_orderitem (
                id bigserial PRIMARY KEY,
                order_id bigint NOT NULL REFERENCES orders_order (id) ON DELETE CASCADE,
                -- As the Django shop's OrderItem.product (on_delete=CASCADE).
                product_id bigint NOT NULL REFERENCES shop_product (id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
                price numeric(10, 2) NOT NULL CHECK (price >= 0),
                quantity integer NOT NULL CHECK (quantity > 0)
            );
            CREATE INDEX orders_orderitem_order_id_idx ON orders_orderitem (order_id);
            CREATE INDEX orders_orderitem_product_id_idx ON orders_orderitem (product_id);
            """, adoption: Adoption(tables: [
                TableShape("orders_order", [
                    ("id", .id), ("first_name", .varchar(50)), ("last_name", .varchar(50)), ("email", .varchar(254)),
                    ("address", .varchar(250)), ("postal_code", .varchar(20)), ("city", .varchar(100)),
                    ("created", .timestamptz), ("updated", .timestamptz), ("paid", .boolean),
                ]),
                TableShape("orders_orderitem", [
                    ("id", .id), ("order_id", .id), ("product_id", .id), ("price", .money), ("quantity", .integer),
                ]),
            ], sql: """
                ALTER TABLE orders_order ADD COLUMN checkout_token varchar(64) NULL,
                    ADD CONSTRAINT orders_order_checkout_token_key UNIQUE (checkout_token),
                    ALTER COLUMN created SET DEFAULT now(), ALTER COLUMN updated SET DEFAULT now(),
                    ALTER COLUMN paid SET DEFAULT false;
                """)),
        // Orders keep their history: a product that an order holds cannot be deleted,
        // by the admin or by anyone with psql (the admin says so first). Django's own
        // schema has the same constraint without ON DELETE (it cascades in Python).
        .protectedForeignKey(app: "orders", name: "0002_orderitem_product_protected",
                             table: "orders_orderitem", column: "product_id", references: "shop_product"),
    ]

    public static func routes(_ router: inout Router) {
        router.add(["GET", "POST"], "/orders/create/", name: "orders:order_create", OrderViews.create)
        router.get("/orders/{id:int}/created/", name: "orders:order_created", OrderViews.created)
    }
}
