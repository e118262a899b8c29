import Foundation

/// The operator's endpoints: `/-/health` for load balancers, `/-/status` for the pool.
public enum HealthViews {
    public static func register(_ router: inout Router) {
        router.get("/-/health", health)
        router.get("/-/status", status)
    }

    /// 200 `ok` when the database answers, else 503.
    static func health(_ context: RequestContext) throws -> Response {
        do {
            try context.database.query("SELECT 1")
            return .text("ok")
        } catch {
            return .text("database unavailable", status: 503)
        }
    }

    /// JSON about the pool: workers, busy, idle, requests served, restarts, uptime.
    static func status(_ context: RequestContext) throws -> Response {
        let status = context.services.poolStatus?() ?? ["workers": 1, "busy": 1, "idle": 0, "pool": false]
        let data = try JSONSerialization.data(withJSONObject: status, options: [.sortedKeys])
        var response = Response(status: 200, headers: [("Content-Type", "application/json")], body: Array(data))
        response.headers.append(("Cache-Control", "no-store"))
        return response
    }
}
