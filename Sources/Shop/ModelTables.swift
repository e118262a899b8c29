import Foundation
import Web

/// The catalog's editable columns as the migration declares them, for model
/// forms (the admin's category and product pages).
extension Category {
    public static let table = ModelTable("shop_category", [
        .init("name", .varchar(200)),
        .init("slug", .slug(200)),
    ])
}

extension Product {
    /// Uploads above this size are refused by the image field.
    public static let maxImageBytes = 2_621_440

    public static let table = ModelTable("shop_product", [
        .init("category", .foreignKey),
        .init("name", .varchar(200)),
        .init("slug", .slug(200)),
        .init("image", .image(maxLength: 100, maxBytes: maxImageBytes), blank: true),
        .init("description", .text, blank: true),
        .init("price", .numeric(precision: 10, scale: 2, min: 0, max: nil)),
        .init("available", .boolean, default: .bool(true)),
    ])
}
