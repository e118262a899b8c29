import Foundation
import Shop
import Web

/// Django's `cart_add`, `cart_remove` and `cart_detail`.
public enum CartViews {
    /// `POST /cart/add/{product_id}/`: `quantity` 1...20 and `override`
    /// `True`/`False` (absent: False), else 400 with the cart unchanged;
    /// an unknown or unavailable product is a 404. Then 302 to `/cart/`.
    public static func add(_ context: RequestContext) throws -> Response {
        let id = try context.intParameter("product_id")
        let form = try context.form()
        guard let input = AddToCartInput(form) else {
            throw HTTPError.badRequest("The quantity must be a whole number from 1 to 20, and override True or False.")
        }
        guard let product = try availableProduct(id: id, context) else { throw HTTPError.notFound("No such product.") }
        do {
            try Cart.of(context).add(product, quantity: input.quantity, override: input.override)
        } catch Cart.AddError.tooMany {
            throw HTTPError.badRequest("A cart line holds at most \(Cart.maxLineQuantity) items.")
        }
        return .redirect(to: try context.url("cart:cart_detail"))
    }

    /// `POST /cart/remove/{product_id}/`: drops the line; 302 to `/cart/`. A
    /// product neither in the cart nor in the catalog is a 404, as in Django.
    public static func remove(_ context: RequestContext) throws -> Response {
        let id = try context.intParameter("product_id")
        if try !Cart.of(context).remove(productID: id) {
            guard try !Catalog.products(ids: [id], context).isEmpty else {
                throw HTTPError.notFound("No such product.")
            }
        }
        return .redirect(to: try context.url("cart:cart_detail"))
    }

    /// `GET /cart/`.
    public static func detail(_ context: RequestContext) throws -> Response {
        let cart = Cart.of(context)
        let lines = try cart.lines()
        return try context.render("cart/detail", context: [
            "title": .string("Your shopping cart"),
            "lines": .list(try lines.map { .object(["html": try renderedLine($0, context)]) }),
            "has_lines": .bool(!lines.isEmpty),
            "cart_total": .string(lines.totalText),
        ])
    }

    /// A line of the cart page (`cart/line`), kept rendered per product and quantity until
    /// the catalog changes, with this page's CSRF token spliced in.
    static func renderedLine(_ line: CartLine, _ context: RequestContext) throws -> TemplateValue {
        try Catalog.partials(context).renderPartial("cart/line", key: "cart line \(line.product.id) \(line.quantity)", context) {
            try CartViewModels.detailLine(line, context.services.urls)
        }
    }

    static func availableProduct(id: Int, _ context: RequestContext) throws -> Product? {
        try Catalog.availableProduct(id: id, context)
    }
}

/// The add form's cleaned values: `AddToCartForm.form` (Django's CartAddProductForm) bound and valid.
public struct AddToCartInput: Equatable, Sendable {
    public var quantity: Int
    public var override: Bool

    public init?(_ data: FormData) {
        let form = AddToCartForm.form.bind(data)
        guard form.isValid, let quantity = form["quantity"]?.int, let override = form["override"]?.bool else { return nil }
        self.quantity = quantity
        self.override = override
    }
}

/// What the templates get: everything computed, formatted and explicit.
public enum CartViewModels {
    /// The context processor's `cart`, built as a template value (it is on every page).
    public static func summary(_ lines: [CartLine], _ urls: URLs) -> TemplateValue {
        let count = lines.reduce(0) { $0 + $1.quantity }
        return .object([
            "is_empty": .bool(lines.isEmpty),
            "count": .string(String(count)),
            "count_is_one": .bool(count == 1),
            "total": .string(lines.totalText),
            // Formatted only if a page shows them (the layout shows the count and total).
            "lines": .deferred(DeferredValue { lines.map { summaryLine($0, urls) } }),
        ])
    }

    public static func summaryLine(_ line: CartLine, _ urls: URLs) -> [String: Any] {
        [
            "id": line.product.id,
            "name": line.product.name,
            "url": line.product.url(urls),
            "quantity": line.quantity,
            "unit_price": line.unitPriceText,
            "line_total": line.totalText,
        ]
    }

    static func detailLine(_ line: CartLine, _ urls: URLs) throws -> [String: Any] {
        var values = summaryLine(line, urls)
        values["image_url"] = line.product.imageURL
        values["update_action"] = try urls.path("cart:cart_add", ["product_id": line.product.id])
        values["remove_action"] = try urls.path("cart:cart_remove", ["product_id": line.product.id])
        values["quantity_options"] = AddToCartForm.quantityOptions(selected: line.quantity)
        return values
    }
}
