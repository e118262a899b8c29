/// Templated error pages: `404.html`, `400.html`, `403.html`, `500.html`, and
/// `error.html` for the rest. Rendering one must never fail: without its
/// templates (or with the database down) it falls back to plain HTML.
enum ErrorPages {
    static func response(status: Int, message: String, context: RequestContext?, services: Services) -> Response {
        let title = "\(status) \(Response.reasonPhrase(status))"
        let template = services.templates.hasTemplate(String(status)) ? String(status) : "error"
        let values: [String: Any] = ["status": status, "title": title, "message": message]
        // Pages for client errors keep the layout's cart and messages; 5xx pages do not query anything.
        if let context, status < 500, let page = try? context.render(template, values, status: status) {
            return page
        }
        if let text = try? services.templates.render(template, values) {
            return .html(text, status: status)
        }
        return .html("<!doctype html><title>\(title)</title><h1>\(title)</h1><p>\(HTML.escape(message))</p>", status: status)
    }
}
