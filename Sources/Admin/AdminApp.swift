import Web

/// Django's `django.contrib.admin` for the classic shop: staff log in at
/// `/admin/login/` and manage categories, products and orders (with their
/// items inline). Every admin page is guarded once, by the group's middleware:
/// no-cache and no-framing headers on all of them, and the staff gate on all
/// but the login page.
public enum AdminApp: App {
    public static let label = "admin"

    public static var migrations: [Migration] { AdminMigrations.all }

    public static func routes(_ router: inout Router) {
        router.group("/admin/", middleware: [AdminSite.headers]) { admin in
            admin.add(["GET", "POST"], "login/", name: "admin:login", LoginViews.login)
            admin.post("logout/", name: "admin:logout", LoginViews.logout)
            admin.group("", middleware: [Auth.staffRequired(loginRoute: "admin:login")]) { staff in
                staff.get("", name: "admin:index", AdminSite.index)
                for model in AdminSite.models {
                    model.routes(&staff)
                }
            }
        }
    }
}
