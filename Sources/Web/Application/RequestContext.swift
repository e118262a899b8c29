import Postgres

/// Everything a view needs about one request: the request, the worker's
/// services (database, templates, settings), and the per-request state the
/// middleware set up (session, CSRF, messages, URL parameters).
public final class RequestContext {
    public let request: Request
    public let services: Services
    public let session: Session
    public let csrf: CSRF
    public let messages: Messages
    /// Values captured by the URL pattern (`{id:int}` → "42").
    public var parameters: [String: String]
    /// Per-request values for apps (the cart keeps its loaded lines here so the
    /// view and the context processor share one query). Emptied when the response is finished.
    public let memo = RequestMemo()

    public var database: PostgresConnection { services.database }
    public var settings: Settings { services.settings }

    public init(request: Request, services: Services, parameters: [String: String] = [:],
                sessionLocking: SessionLocking? = nil, speculative: Bool = false) {
        self.request = request
        self.services = services
        self.parameters = parameters
        var sessionKey: String?, sessionVersion: String?, csrfSecret: String?
        request.cookies(named: services.contextCookieNames) { index, value in
            switch index {
            case 0: sessionKey = value
            case 1: sessionVersion = value
            default: csrfSecret = value
            }
        }
        self.session = Session(
            store: services.sessionStore,
            cookieKey: sessionKey,
            cookieVersion: sessionVersion.flatMap { Int64($0) },
            locking: sessionLocking ?? (request.isUnsafeMethod ? .untilSaved : .aroundWrite),
            speculative: speculative
        )
        self.csrf = CSRF(cookieValue: csrfSecret)
        self.messages = Messages(session: session)
    }

    /// The path of a named route (Django's `reverse`): `context.url("cart:cart_add", ["product_id": 3])`.
    public func url(_ name: String, _ parameters: [String: any CustomStringConvertible] = [:]) throws -> String {
        try services.urls.path(name, parameters)
    }

    /// An integer URL parameter; the router already checked its digits.
    public func intParameter(_ name: String) throws -> Int {
        guard let text = parameters[name], let value = Int(text) else { throw HTTPError.notFound() }
        return value
    }

    /// The query string's fields.
    public var query: FormData { (try? FormData.parse(urlencoded: request.queryString)) ?? FormData() }

    private var parsedBody: MultipartForm?

    /// The POST body's fields (urlencoded or multipart). Broken encoding is a 400.
    public func form() throws -> FormData { try body().fields }

    /// The POST body's uploaded files (Django's `request.FILES`): empty unless the
    /// body is multipart. Never a path from the client: see `UploadedFile`.
    public func files() throws -> UploadedFiles { try body().files }

    /// Both, parsed once per request. Multipart bodies are held to `settings.uploadLimits`.
    public func body() throws -> MultipartForm {
        if let parsedBody { return parsedBody }
        let type = request.headers["content-type"] ?? ""
        var body = MultipartForm()
        if type.isEmpty || ASCIICase.hasPrefix(type, "application/x-www-form-urlencoded") {
            // Django's DATA_UPLOAD_MAX_MEMORY_SIZE and _NUMBER_FIELDS hold for urlencoded bodies too.
            guard request.body.count <= settings.uploadLimits.maxFieldBytes else {
                throw HTTPError.badRequest("Request body exceeded settings.DATA_UPLOAD_MAX_MEMORY_SIZE.")
            }
            body.fields = try FormData.parse(urlencoded: request.body)
            guard body.fields.pairs.count <= settings.uploadLimits.maxFields else {
                throw HTTPError.badRequest("The number of GET/POST parameters exceeded settings.DATA_UPLOAD_MAX_NUMBER_FIELDS.")
            }
        } else if ASCIICase.hasPrefix(type, "multipart/form-data") {
            // The boundary keeps its case: only the media type is case-insensitive.
            body = try MultipartParser.parse(body: request.body, contentType: type, limits: settings.uploadLimits)
        } else {
            throw HTTPError(415, "Unsupported form encoding")
        }
        parsedBody = body
        return body
    }

    /// Renders `template` with the context processors' values under the view's.
    public func render(_ template: String, _ values: [String: Any] = [:], status: Int = 200) throws -> Response {
        .html(bytes: try services.templates.renderBytes(template, try templateContext(values)), status: status)
    }

    /// The same with the view's values built as template values already (the cart page): none
    /// of them goes through `TemplateValue(Any)`'s casts, nor has its name hashed again.
    public func render(_ template: String, context values: TemplateObject, status: Int = 200) throws -> Response {
        let context = try templateContext(capacity: values.count) { $0.set(contentsOf: values) }
        return .html(bytes: try services.templates.renderBytes(template, context), status: status)
    }

    /// Renders `template` with some of its blocks already rendered (`PageFragments`): the
    /// rest, its layout, sees the context processors' values.
    public func render(_ template: String, prerendered: [String: String], _ values: [String: Any] = [:],
                       status: Int = 200) throws -> Response {
        .html(bytes: try services.templates.renderBytes(template, try templateContext(values), prerendered: prerendered),
              status: status)
    }

    /// The context processors' values with the view's over them, converted as they are merged
    /// (one dictionary, not a `[String: Any]` first and its converted copy).
    private func templateContext(_ values: [String: Any]) throws -> TemplateValue {
        try templateContext(capacity: values.count) { context in
            for (name, value) in values { context[name] = TemplateValue(value) }
        }
    }

    /// The context processors' values, then the view's (`addViewValues`), then DEBUG's queries.
    private func templateContext(capacity: Int, _ addViewValues: (inout TemplateObject) -> Void) throws -> TemplateValue {
        var context = try services.contextProcessors.values(for: self, capacity: capacity)
        addViewValues(&context)
        if ContextProcessors.showsDebug(self) { context["sql_queries"] = TemplateValue(ContextProcessors.sqlQueries(database.log)) }
        return .object(context)
    }
}
