import Web

extension Order {
    /// `orders_order`'s editable columns, as the migration declares them.
    public static let table = ModelTable("orders_order", [
        .init("first_name", .varchar(50)),
        .init("last_name", .varchar(50)),
        .init("email", .email(254)),
        .init("address", .varchar(250)),
        .init("postal_code", .varchar(20)),
        .init("city", .varchar(100)),
        .init("paid", .boolean, default: .bool(false)),
    ])
}

/// The checkout form, Django's `OrderCreateForm`: a model form of Order's
/// address fields. Every field is required, trimmed, at most the column's
/// length in characters, without NUL characters, and the email valid.
public enum OrderForm {
    public static let form: Form = Order.table.form(["first_name", "last_name", "email", "address", "postal_code", "city"])

    public static var fields: [FormField] { form.fields }
}
