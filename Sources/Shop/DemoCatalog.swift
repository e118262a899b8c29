import Foundation
import Postgres

/// `shop loaddemo`: a small tea-and-coffee catalog with images, for a first
/// look at the shop. Does nothing when the catalog already has products.
public enum DemoCatalog {
    struct Item {
        var category: String
        var name: String
        var slug: String
        var price: String
        var available = true
        var description: String
    }

    static let categories = [("Tea", "tea"), ("Coffee", "coffee"), ("Teapots & Cups", "teapots-cups")]

    static let items: [Item] = [
        Item(category: "tea", name: "Sencha Green Tea", slug: "sencha-green-tea", price: "8.50",
             description: "A bright, grassy Japanese green tea from Shizuoka.\nSteep 1 minute at 75 °C."),
        Item(category: "tea", name: "Earl Grey Supreme", slug: "earl-grey-supreme", price: "7.90",
             description: "Ceylon black tea scented with bergamot oil and a few cornflower petals."),
        Item(category: "tea", name: "Rooibos Vanilla", slug: "rooibos-vanilla", price: "6.40",
             description: "Caffeine-free red bush from the Cederberg with Madagascar vanilla."),
        Item(category: "tea", name: "Ceremonial Matcha", slug: "ceremonial-matcha", price: "24.00",
             description: "Stone-ground tencha from Uji, 30 g tin. Whisk with water at 80 °C."),
        Item(category: "coffee", name: "Ethiopia Yirgacheffe", slug: "ethiopia-yirgacheffe", price: "12.75",
             description: "Washed heirloom varieties; jasmine, lemon and black tea notes. 250 g whole beans."),
        Item(category: "coffee", name: "Colombia Huila", slug: "colombia-huila", price: "11.20",
             description: "Caramel, red apple and milk chocolate. 250 g whole beans."),
        Item(category: "coffee", name: "Espresso Blend No. 3", slug: "espresso-blend-no-3", price: "13.99",
             description: "Brazil and Guatemala for a syrupy shot with a hazelnut finish. 500 g."),
        Item(category: "coffee", name: "Swiss Water Decaf", slug: "swiss-water-decaf", price: "10.49", available: false,
             description: "Chemical-free decaffeinated Peru; back in stock soon."),
        Item(category: "teapots-cups", name: "Porcelain Tea Cup", slug: "porcelain-tea-cup", price: "9.00",
             description: "Hand-thrown white porcelain, 150 ml."),
        Item(category: "teapots-cups", name: "Insulated Travel Mug", slug: "insulated-travel-mug", price: "22.50",
             description: "Double-walled steel, 350 ml, keeps tea hot for six hours."),
        Item(category: "teapots-cups", name: "Cast Iron Teapot", slug: "cast-iron-teapot", price: "48.00",
             description: "Tetsubin-style pot with an enamelled interior and a steel infuser, 800 ml."),
        Item(category: "teapots-cups", name: "French Press", slug: "french-press", price: "29.95",
             description: "Borosilicate glass and stainless steel, 1 litre."),
        Item(category: "teapots-cups", name: "Hand Coffee Grinder", slug: "hand-coffee-grinder", price: "1299.00",
             description: "Precision conical burrs with 40 settings, from Turkish to French press."),
    ]

    /// The image file shipped in `deploy/demo/images/` for each product.
    static let imageFiles: [String: String] = [
        "sencha-green-tea": "tea-sencha.png", "earl-grey-supreme": "tea-earl-grey.png",
        "rooibos-vanilla": "tea-rooibos.png", "ceremonial-matcha": "tea-matcha.png",
        "ethiopia-yirgacheffe": "coffee-ethiopia.png", "colombia-huila": "coffee-colombia.png",
        "espresso-blend-no-3": "coffee-espresso.png", "swiss-water-decaf": "coffee-decaf.png",
        "porcelain-tea-cup": "cups-porcelain.png", "insulated-travel-mug": "cups-travel-mug.png",
        "cast-iron-teapot": "cups-teapot.png", "french-press": "cups-french-press.png",
        "hand-coffee-grinder": "cups-grinder.png",
    ]

    /// Loads the demo catalog; returns how many products it created (0 when the catalog was not empty).
    @discardableResult
    public static func load(database: PostgresConnection, demoDirectory: String, mediaRoot: String) throws -> Int {
        try database.transaction {
            let existing: Int = try database.scalar("SELECT count(*) FROM shop_product", as: Int.self) ?? 0
            guard existing == 0 else { return 0 }
            var categoryIDs: [String: Int] = [:]
            for (name, slug) in categories {
                categoryIDs[slug] = try database.scalar("""
                    INSERT INTO shop_category (name, slug) VALUES ($1, $2)
                    ON CONFLICT (slug) DO UPDATE SET name = EXCLUDED.name RETURNING id
                    """, [name, slug], as: Int.self)
            }
            for item in items {
                let image = try copyImage(for: item.slug, from: demoDirectory, to: mediaRoot)
                try database.execute("""
                    INSERT INTO shop_product (category_id, name, slug, image, description, price, available)
                    VALUES ($1, $2, $3, $4, $5, $6::numeric, $7)
                    """, [categoryIDs[item.category]!, item.name, item.slug, image, item.description, item.price, item.available])
            }
            return items.count
        }
    }

    /// `loaddemo --products N`: adds generated products (spread over the
    /// categories, one in seven unavailable, no image) until the catalog holds
    /// `total` products, in one statement; returns how many it added. For
    /// measuring a large shop (`make bench` uses it).
    @discardableResult
    public static func generate(database: PostgresConnection, total: Int) throws -> Int {
        try database.transaction {
            let existing: Int = try database.scalar("SELECT count(*) FROM shop_product", as: Int.self) ?? 0
            guard total > existing else { return 0 }
            if try database.scalar("SELECT count(*) FROM shop_category", as: Int.self) ?? 0 == 0 {
                try database.execute("INSERT INTO shop_category (name, slug) VALUES ('Generated', 'generated')")
            }
            return try database.execute("""
                WITH categories AS (SELECT id, row_number() OVER (ORDER BY id) - 1 AS position, count(*) OVER () AS total FROM shop_category)
                INSERT INTO shop_product (category_id, name, slug, description, price, available, created, updated)
                SELECT c.id, 'Generated product ' || lpad(n::text, 7, '0'), 'generated-product-' || n,
                       'A generated product for measuring a large catalog.', (n % 500) + 0.99, n % 7 <> 0,
                       now() - n * interval '1 minute', now() - n * interval '1 minute'
                FROM generate_series($1::bigint + 1, $2::bigint) AS n
                JOIN categories c ON c.position = n % c.total
                """, [existing, total])
        }
    }

    /// Copies the shipped image under MEDIA_ROOT/products/, as Django's ImageField would store an upload.
    static func copyImage(for slug: String, from demoDirectory: String, to mediaRoot: String) throws -> String {
        guard let file = imageFiles[slug] else { return "" }
        let source = demoDirectory + "/images/" + file
        guard FileManager.default.fileExists(atPath: source) else { return "" }
        let folder = mediaRoot + "/products/demo"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let target = folder + "/" + file
        if !FileManager.default.fileExists(atPath: target) {
            try FileManager.default.copyItem(atPath: source, toPath: target)
        }
        return "products/demo/" + file
    }
}
