import Foundation

import Postgres

/// A context processor: values every template sees (Django's TEMPLATES
/// 'context_processors'). Apps add their own, like the cart's. For a visitor
/// without a session cookie its values may depend on the request's path only:
/// `PageFragments` keeps such visitors' catalog pages whole.
public typealias ContextProcessor = (RequestContext) throws -> [String: Any]

public struct ContextProcessors {
    private var processors: [ContextProcessor] = [
        ContextProcessors.request, ContextProcessors.user, ContextProcessors.messages,
        ContextProcessors.csrfToken, ContextProcessors.debug, ContextProcessors.url,
    ]

    public mutating func append(_ processor: @escaping ContextProcessor) { processors.append(processor) }

    func values(for context: RequestContext) throws -> [String: Any] {
        var values: [String: Any] = [:]
        for processor in processors {
            for (name, value) in try processor(context) { values[name] = value }
        }
        return values
    }

    static func request(_ context: RequestContext) -> [String: Any] {
        // A TemplateValue, not a literal: that would be a [String: String], converted element by
        // element into [String: Any] on every page (0.8% of the cart page's CPU).
        let request = context.request
        return ["request": TemplateValue.object([
            "path": .string(request.path), "full_path": .string(request.fullPath), "method": .string(request.method),
        ])]
    }

    /// The logged-in user (Django's `user`), looked up only if the page shows it:
    /// an anonymous visitor costs nothing, a logged-in one the query `Auth.user` makes once.
    static func user(_ context: RequestContext) -> [String: Any] {
        ["user": TemplateDeferred { [weak context] () -> Any in
            guard let context, let user = try? Auth.user(context) else {
                return ["is_authenticated": false, "is_staff": false, "username": ""] as [String: Any]
            }
            return ["is_authenticated": true, "is_staff": user.isStaff, "username": user.username] as [String: Any]
        }]
    }

    /// Deferred: messages are consumed when the template shows them, as Django's are
    /// when a template iterates them, so notices added by later processors (the
    /// cart dropping a product) or by the view still appear on this page.
    static func messages(_ context: RequestContext) -> [String: Any] {
        let messages = context.messages
        return [
            "messages": TemplateDeferred {
                messages.consume().map { ["level": $0.level.rawValue, "tags": $0.level.rawValue, "message": $0.text] }
            },
            "has_messages": TemplateDeferred { !messages.consume().isEmpty },
        ]
    }

    /// Deferred, so the token (and the csrftoken cookie) is made only for pages that show a form;
    /// and made once per page, as Django's lazy `csrf_token` is: a cart of 20 lines has 40 forms.
    static func csrfToken(_ context: RequestContext) -> [String: Any] {
        let csrf = context.csrf
        return ["csrf_token": TemplateLazy { csrf.pageToken() }]
    }

    /// `url.<app>.<name>`: the path of every route without parameters (`{{url.cart.cart_detail}}`),
    /// so no template writes one by hand. Built once per worker, with the router.
    static func url(_ context: RequestContext) -> [String: Any] {
        ["url": context.services.urls.templateValue]
    }

    /// Django's: `debug` (and the SQL footer) only under DEBUG and only for a client in
    /// INTERNAL_IPS, so a DEBUG site reached from elsewhere shows nobody its queries.
    static func debug(_ context: RequestContext) -> [String: Any] {
        ["debug": showsDebug(context)]
    }

    static func showsDebug(_ context: RequestContext) -> Bool {
        context.settings.debug && context.settings.internalIPs.contains(context.request.remoteAddress)
    }

    /// Each SQL statement of the request with its time, for the page foot under DEBUG.
    static func sqlQueries(_ log: StatementLog) -> [[String: Any]] {
        log.entries.map { ["sql": $0.sql, "time": String(format: "%.3f", $0.milliseconds / 1000)] }
    }
}
