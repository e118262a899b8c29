import Web

/// The catalog app, as Django's `shop`: its tables and its URLs.
public enum ShopApp: App {
    public static let label = "shop"

    public static let migrations: [Migration] = [
        Migration(app: "shop", name: "0001_initial", sql: """
            CREATE TABLE shop_category (
                id bigserial PRIMARY KEY,
                name varchar(200) NOT NULL,
                slug varchar(200) NOT NULL UNIQUE
            );
            CREATE INDEX shop_category_name_idx ON shop_category (name);
            CREATE TABLE shop_product (
                id bigserial PRIMARY KEY,
                category_id bigint NOT NULL REFERENCES shop_category (id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
                name varchar(200) NOT NULL,
                slug varchar(200) NOT NULL,
                image varchar(100) NOT NULL DEFAULT '',
                description text NOT NULL DEFAULT '',
                price numeric(10, 2) NOT NULL CHECK (price >= 0),
                available boolean NOT NULL DEFAULT true,
                created timestamptz NOT NULL DEFAULT now(),
                updated timestamptz NOT NULL DEFAULT now()
            );
            CREATE INDEX shop_product_category_id_idx ON shop_product (category_id);
            CREATE INDEX shop_product_id_slug_idx ON shop_product (id, slug);
            CREATE INDEX shop_product_name_idx ON shop_product (name);
            CREATE INDEX shop_product_created_idx ON shop_product (created);
            """, adoption: Adoption(tables: [
                TableShape("shop_category", [("id", .id), ("name", .varchar(200)), ("slug", .varchar(200))]),
                TableShape("shop_product", [
                    ("id", .id), ("category_id", .id), ("name", .varchar(200)), ("slug", .varchar(200)),
                    ("image", .varchar(100)), ("description", .text), ("price", .money), ("available", .boolean),
                    ("created", .timestamptz), ("updated", .timestamptz),
                ]),
            ], sql: """
                -- Django fills these in Python; the shop's inserts leave them to the database.
                -- Django's own indexes (name, slug, category, (id, slug), created) serve the shop's queries.
                ALTER TABLE shop_product ALTER COLUMN image SET DEFAULT '', ALTER COLUMN description SET DEFAULT '',
                    ALTER COLUMN available SET DEFAULT true, ALTER COLUMN created SET DEFAULT now(),
                    ALTER COLUMN updated SET DEFAULT now();
                """)),
        // Any write to the catalog, by the shop or any other tool, bumps one version
        // number; workers keep the catalog cached and compare it on every page.
        Migration(app: "shop", name: "0002_catalog_version", sql: """
            CREATE TABLE shop_catalog_version (
                id integer PRIMARY KEY DEFAULT 1 CHECK (id = 1),
                version bigint NOT NULL DEFAULT 0
            );
            INSERT INTO shop_catalog_version (id, version) VALUES (1, 0);
            CREATE FUNCTION shop_catalog_changed() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                UPDATE shop_catalog_version SET version = version + 1 WHERE id = 1;
                RETURN NULL;
            END
            $$;
            CREATE TRIGGER shop_category_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON shop_category
                FOR EACH STATEMENT EXECUTE FUNCTION shop_catalog_changed();
            CREATE TRIGGER shop_product_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON shop_product
                FOR EACH STATEMENT EXECUTE FUNCTION shop_catalog_changed();
            """),
        // A category with products is not deleted (the admin says so first), as the
        // contract has it; the database refuses too, whoever deletes.
        .protectedForeignKey(app: "shop", name: "0003_product_category_protected",
                             table: "shop_product", column: "category_id", references: "shop_category"),
        // The catalog's pages (24 available products by name, all or one
        // category's) and their counts, picked in the index alone. And a second
        // version, of the lists' make-up: it moves only when a write can change
        // which products a page holds or their order (a product added, deleted,
        // renamed, moved, made (un)available; any category write), so a price
        // change costs a cached page a re-read of its 24 rows by id, not a new
        // count and a deep OFFSET.
        Migration(app: "shop", name: "0004_catalog_pages", sql: """
            CREATE INDEX shop_product_available_page_idx ON shop_product (name, id) WHERE available;
            CREATE INDEX shop_product_category_page_idx ON shop_product (category_id, name, id) WHERE available;
            ALTER TABLE shop_catalog_version ADD COLUMN lists_version bigint NOT NULL DEFAULT 0;
            CREATE FUNCTION shop_catalog_lists_changed() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                UPDATE shop_catalog_version SET lists_version = lists_version + 1 WHERE id = 1;
                RETURN NULL;
            END
            $$;
            CREATE TRIGGER shop_category_lists_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON shop_category
                FOR EACH STATEMENT EXECUTE FUNCTION shop_catalog_lists_changed();
            CREATE TRIGGER shop_product_lists_changed
                AFTER INSERT OR DELETE OR TRUNCATE OR UPDATE OF id, name, available, category_id ON shop_product
                FOR EACH STATEMENT EXECUTE FUNCTION shop_catalog_lists_changed();
            """),
    ]

    /// The catalog's URLs (`/{category_slug}/` also fits `/cart/`: the router
    /// prefers the literal route, whatever the apps' order).
    public static func routes(_ router: inout Router) {
        router.get("/", name: "shop:product_list", ShopViews.productList)
        router.get("/{category_slug}/", name: "shop:product_list_by_category", ShopViews.productList)
        router.get("/{id:int}/{slug}/", name: "shop:product_detail", ShopViews.productDetail)
    }
}
