import Web

/// One model in the admin (Django's ModelAdmin): its names, its change list,
/// and the views of its add, change and delete pages. The URLs and their
/// names are Django's: `/admin/shop/product/` is `admin:shop_product_changelist`.
struct ModelAdmin {
    let appLabel: String
    let appName: String
    let modelName: String
    let verboseName: String
    let verboseNamePlural: String
    let changeList: ChangeListSpec
    let addView: View
    let changeView: View
    let deleteView: View

    func routeName(_ view: String) -> String { "admin:\(appLabel)_\(modelName)_\(view)" }

    func routes(_ routes: inout RouteGroup) {
        let base = "\(appLabel)/\(modelName)/"
        let changeList = self.changeList
        let model = self
        routes.add(["GET", "POST"], base, name: routeName("changelist")) { context in
            try ChangeListView.handle(context, model: model, spec: changeList)
        }
        routes.add(["GET", "POST"], base + "add/", name: routeName("add"), addView)
        routes.add(["GET", "POST"], base + "{id:int}/change/", name: routeName("change"), changeView)
        routes.add(["GET", "POST"], base + "{id:int}/delete/", name: routeName("delete"), deleteView)
    }

    /// Breadcrumbs down to this model's list.
    func breadcrumbs(_ context: RequestContext) throws -> [(String, String?)] {
        [("Home", try context.url("admin:index")),
         (appName, nil),
         (verboseNamePlural.capitalizedFirst, try context.url(routeName("changelist")))]
    }
}
