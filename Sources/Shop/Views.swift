import Web

/// The catalog's views: Django shop's `product_list` and `product_detail`.
public enum ShopViews {
    /// `GET /` and `GET /{category_slug}/`: 24 products a page (`?page=N`).
    public static func productList(_ context: RequestContext) throws -> Response {
        let catalog = try CatalogCache.current(context)
        let database = context.database, urls = context.services.urls
        let categories = try catalog.categories(database)
        var category: Category?
        if let slug = context.parameters["category_slug"] {
            guard let found = categories.bySlug[slug] else { throw HTTPError.notFound("No category \(slug).") }
            category = found
        }
        let count = try catalog.count(categoryID: category?.id, database)
        let pagination = try CatalogPagination(query: context.query, count: count)
        // The catalog part of the page is kept, rendered, until the catalog changes.
        let key = "list \(category?.id ?? 0) \(pagination.number)"
        return try catalog.fragments.render("shop/product/list", key: key, context) {
            let page = try catalog.page(categoryID: category?.id, number: pagination.number, database, urls: urls)
            let listURL = try category.map { $0.url(urls) } ?? context.url("shop:product_list")
            var values: [String: Any] = [
                "title": pagination.number > 1 ? "\(category?.name ?? "Products"), page \(pagination.number)" : category?.name ?? "Products",
                "all_selected": category == nil,
                "categories": categories.all.map { item in
                    ["name": item.name, "url": item.url(urls), "selected": item.id == category?.id] as [String: Any]
                },
                "products": page.cards,
                "has_products": !page.isEmpty,
                "pagination": pagination.viewModel(path: listURL),
            ]
            if let category { values["category"] = ["name": category.name, "url": category.url(urls)] }
            return values
        }
    }

    /// `GET /{id}/{slug}/`: the product with the add-to-cart form; 404 unless it
    /// exists, is available and the slug matches.
    public static func productDetail(_ context: RequestContext) throws -> Response {
        let id = try context.intParameter("id")
        guard let product = try Catalog.availableProduct(id: id, context), product.slug == context.parameters["slug"]
        else { throw HTTPError.notFound("No such product.") }
        // The product's part of the page is kept, rendered, until the catalog changes.
        return try CatalogCache.current(context).fragments.render("shop/product/detail", key: "product \(id)", context) {
            var values = ShopViewModels.productCard(product, context.services.urls)
            values["description_paragraphs"] = product.description
                .split(separator: "\n", omittingEmptySubsequences: true).map { ["text": String($0)] }
            return [
                "title": product.name,
                "product": values,
                "add_form": try AddToCartForm.viewModel(productID: product.id, context.services.urls),
            ]
        }
    }
}

/// The detail page's add-to-cart form (Django's CartAddProductForm): a
/// quantity select 1...20 and a hidden `override`.
public enum AddToCartForm {
    public static let quantities = 1...20

    /// Django's CartAddProductForm: `quantity` one of the choices "1"..."20" (no
    /// sign, spaces, leading zeros or decimals: a TypedChoiceField), and a hidden
    /// `override` that is `True`/`False` in any case, absent or empty meaning False.
    public static let form = Form([
        .intChoice("quantity", quantities),
        .boolean("override", strict: true),
    ])

    public static func viewModel(productID: Int, _ urls: URLs, quantity: Int = 1, override: Bool = false) throws -> [String: Any] {
        [
            "action": try urls.path("cart:cart_add", ["product_id": productID]),
            "override": override ? "True" : "False",
            "quantity_options": quantityOptions(selected: quantity),
        ]
    }

    /// The select's options (HTML, `SelectOptions`) with `selected` marked. Built once per
    /// worker for each quantity 1...20 (every cart line and product page shows one); a
    /// quantity outside the form's range (an accumulated line) is added as its own option.
    public static func quantityOptions(selected: Int) -> TemplateValue {
        if quantities.contains(selected) { return prebuiltOptions[selected - quantities.lowerBound] }
        return buildOptions(selected: selected)
    }

    /// Immutable after it is built; nothing in it is ever computed later.
    nonisolated(unsafe) private static let prebuiltOptions = quantities.map(buildOptions)

    private static func buildOptions(selected: Int) -> TemplateValue {
        var values = Array(quantities)
        if !quantities.contains(selected) { values.append(selected) }
        return .string(SelectOptions.html(values.map { (String($0), String($0)) }, selected: String(selected)))
    }
}

enum ShopViewModels {
    static func productCard(_ product: Product, _ urls: URLs) -> [String: Any] {
        [
            "id": product.id,
            "name": product.name,
            "url": product.url(urls),
            "image_url": product.imageURL,
            "has_image": !product.image.isEmpty,
            "price": PriceFormat.dollars(product.price),
        ]
    }
}
