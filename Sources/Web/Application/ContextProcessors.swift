import Foundation

import Postgres

/// A context processor: values every template sees (Django's TEMPLATES
/// 'context_processors'). Apps add their own, like the cart's. For a visitor
/// without a session cookie its values may depend on the request's path only:
/// `PageFragments` keeps such visitors' catalog pages whole.
public typealias ContextProcessor = (RequestContext) throws -> [String: Any]

public struct ContextProcessors {
    /// The apps' processors, after Django's own (`request`, `user`, `messages`, `csrf_token`,
    /// `debug`, `url`: `builtIn`).
    private var processors: [ContextProcessor] = []

    public mutating func append(_ processor: @escaping ContextProcessor) { processors.append(processor) }

    /// Every processor's values, as templates see them; room for `capacity` more (the view's).
    func values(for context: RequestContext, capacity: Int = 0) throws -> TemplateObject {
        var values = TemplateObject()
        values.reserveCapacity(16 + capacity)
        ContextProcessors.builtIn(context, into: &values)
        for processor in processors {
            for (name, value) in try processor(context) { values[name] = TemplateValue(value) }
        }
        return values
    }

    /// Django's context processors, written as template values at once: built as `[String: Any]`
    /// dictionaries, merged and converted, they were 8% of a cart page's worker samples.
    static func builtIn(_ context: RequestContext, into values: inout TemplateObject) {
        let request = context.request
        values["request"] = .object([
            "path": .string(request.path), "full_path": .string(request.fullPath), "method": .string(request.method),
        ])
        values["user"] = user(context)
        let messages = context.messages
        // Deferred: messages are consumed when the template shows them, as Django's are when a
        // template iterates them, so notices added by later processors (the cart dropping a
        // product) or by the view still appear on this page.
        values["messages"] = .deferred(DeferredValue(template: {
            .list(messages.consume().map {
                .object(["level": .string($0.level.rawValue), "tags": .string($0.level.rawValue), "message": .string($0.text)])
            })
        }))
        values["has_messages"] = .deferred(DeferredValue(template: { .bool(!messages.consume().isEmpty) }))
        // Lazy, so the token (and the csrftoken cookie) is made only for pages that show a form;
        // and made once per page, as Django's lazy `csrf_token` is: a cart of 20 lines has 40 forms.
        let csrf = context.csrf
        values["csrf_token"] = .lazy { csrf.pageToken() }
        values["debug"] = .bool(showsDebug(context))
        // `url.<app>.<name>`: the path of every route without parameters (`{{url.cart.cart_detail}}`),
        // so no template writes one by hand. Built once per worker, with the router.
        values["url"] = context.services.urls.templateValue
    }

    /// The logged-in user (Django's `user`), looked up only if the page shows it:
    /// an anonymous visitor costs nothing, a logged-in one the query `Auth.user` makes once.
    static func user(_ context: RequestContext) -> TemplateValue {
        .deferred(DeferredValue(template: { [weak context] in
            guard let context, let user = try? Auth.user(context) else {
                return TemplateValue.object(["is_authenticated": .bool(false), "is_staff": .bool(false), "username": .string("")])
            }
            return TemplateValue.object([
                "is_authenticated": .bool(true), "is_staff": .bool(user.isStaff), "username": .string(user.username),
            ])
        }))
    }

    /// Django's: `debug` (and the SQL footer) only under DEBUG and only for a client in
    /// INTERNAL_IPS, so a DEBUG site reached from elsewhere shows nobody its queries.
    static func showsDebug(_ context: RequestContext) -> Bool {
        context.settings.debug && context.settings.internalIPs.contains(context.request.remoteAddress)
    }

    /// Each SQL statement of the request with its time, for the page foot under DEBUG.
    static func sqlQueries(_ log: StatementLog) -> [[String: Any]] {
        log.entries.map { ["sql": $0.sql, "time": String(format: "%.3f", $0.milliseconds / 1000)] }
    }
}
