import Web

extension Order.Item {
    /// `orders_orderitem`'s editable columns, as the migration declares them
    /// (the admin's inline edits them; the order is the parent).
    public static let table = ModelTable("orders_orderitem", [
        .init("product", .foreignKey),
        .init("price", .numeric(precision: 10, scale: 2, min: 0, max: nil)),
        .init("quantity", .integer(min: 1, max: Int(Int32.max))),
    ])
}
