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
    let form: ChangeFormSpec
    let deletion: DeletionSpec

    func routeName(_ view: String) -> String { "admin:\(appLabel)_\(modelName)_\(view)" }

    func routes(_ routes: inout RouteGroup) {
        let base = "\(appLabel)/\(modelName)/"
        let model = self
        routes.add(["GET", "POST"], base, name: routeName("changelist")) { context in
            try ChangeListView.handle(context, model: model, spec: model.changeList)
        }
        routes.add(["GET", "POST"], base + "add/", name: routeName("add")) { context in
            try ChangeFormView.add(context, model: model, spec: model.form)
        }
        routes.add(["GET", "POST"], base + "{id:int}/change/", name: routeName("change")) { context in
            try ChangeFormView.change(context, model: model, spec: model.form)
        }
        routes.add(["GET", "POST"], base + "{id:int}/delete/", name: routeName("delete")) { context in
            try DeleteView.handle(context, model: model, spec: model.deletion)
        }
    }

    /// Breadcrumbs down to this model's list.
    func breadcrumbs(_ context: RequestContext) throws -> [(String, String?)] {
        [("Home", try context.url("admin:index")),
         (appName, nil),
         (verboseNamePlural.capitalizedFirst, try context.url(routeName("changelist")))]
    }
}
