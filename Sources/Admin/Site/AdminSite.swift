import Foundation
import Web

/// The admin site: its registered models, the index page and what every admin page shares.
enum AdminSite {
    static let siteHeader = "My shop administration"
    static var models: [ModelAdmin] { [CategoryAdmin.admin, ProductAdmin.admin, OrderAdmin.admin] }

    /// `X-Frame-Options: DENY` and no caching on every admin page, as Django's
    /// admin views (`never_cache`, XFrameOptionsMiddleware).
    static func headers(_ context: RequestContext, _ next: View) throws -> Response {
        var response = try next(context)
        response.headers.removeAll { ["cache-control", "x-frame-options", "expires"].contains($0.name.lowercased()) }
        response.headers.append(("Cache-Control", "no-cache, no-store, private"))
        response.headers.append(("Expires", "0"))
        response.headers.append(("X-Frame-Options", "DENY"))
        return response
    }

    /// `/admin/`: the apps and their models, each with links to its list and add page.
    static func index(_ context: RequestContext) throws -> Response {
        try render(context, "admin/index", title: "Site administration", values: [
            "app_list": try appList(context),
        ])
    }

    static func appList(_ context: RequestContext) throws -> [[String: Any]] {
        var apps: [(label: String, name: String, models: [[String: Any]])] = []
        for model in models {
            let entry: [String: Any] = [
                "name": model.verboseNamePlural.capitalizedFirst,
                "changelist_url": try context.url(model.routeName("changelist")),
                "add_url": try context.url(model.routeName("add")),
            ]
            if let index = apps.firstIndex(where: { $0.label == model.appLabel }) {
                apps[index].models.append(entry)
            } else {
                apps.append((model.appLabel, model.appName, [entry]))
            }
        }
        return apps.map { ["name": $0.name, "app_label": $0.label, "models": $0.models] }
    }

    /// Renders an admin template with what every admin page shows: the site
    /// header, the user with the log-out form, and breadcrumbs.
    static func render(_ context: RequestContext, _ template: String, title: String,
                       breadcrumbs: [(String, String?)] = [], values: [String: Any], status: Int = 200) throws -> Response {
        var all = values
        all["title"] = title
        all["site_header"] = siteHeader
        all["index_url"] = try context.url("admin:index")
        all["logout_url"] = try context.url("admin:logout")
        if let user = try context.user() {
            all["admin_user"] = ["username": user.username]
        }
        all["breadcrumbs"] = breadcrumbs.enumerated().map { index, crumb in
            ["label": crumb.0, "url": crumb.1 ?? "", "has_url": crumb.1 != nil,
             "is_last": index == breadcrumbs.count - 1] as [String: Any]
        }
        all["has_breadcrumbs"] = !breadcrumbs.isEmpty
        return try context.render(template, all, status: status)
    }
}

extension String {
    /// `product` → `Product` (Django's `capfirst`).
    var capitalizedFirst: String { prefix(1).uppercased() + dropFirst() }
}
