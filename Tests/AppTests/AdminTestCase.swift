import Foundation
import Postgres
import TestSupport
import Web
import XCTest

/// Base of the admin's in-process tests: a staff user logged in through the
/// real login page, and multipart posts as a browser sends them.
class AdminTestCase: AppTestCase {
    var staff: InProcessBrowser!
    var mediaRoot = ""

    override func setUpWithError() throws {
        try super.setUpWithError()
        mediaRoot = NSTemporaryDirectory() + "admin-tests-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: mediaRoot, withIntermediateDirectories: true)
        let root = mediaRoot
        app = try makeApplication { $0.mediaRoot = root }
        try database.execute("""
            INSERT INTO auth_user (username, email, password, is_staff, is_superuser, is_active, date_joined)
            VALUES ('staff', 'staff@example.com', $1, true, true, true, now())
            """, [PasswordHasher.encode("s3cret-pass", iterations: 1_000)])
        staff = InProcessBrowser(app, formPage: "/admin/login/")
        let login = staff.post("/admin/login/", ["username": "staff", "password": "s3cret-pass", "next": "/admin/"])
        XCTAssertEqual(login.status, 302, login.bodyText)
        staff.formPage = "/admin/"
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: mediaRoot)
        super.tearDown()
    }

    static let boundary = "----adminTestBoundary7"

    /// A multipart POST as the product form sends it, with the CSRF token first.
    @discardableResult
    func postMultipart(_ path: String, _ fields: [(String, String)],
                       files: [(name: String, filename: String, data: [UInt8])] = []) -> Response {
        var body: [UInt8] = []
        for (name, value) in [(CSRF.formField, staff.csrfToken())] + fields {
            body += Array("--\(Self.boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n".utf8)
        }
        for file in files {
            body += Array("--\(Self.boundary)\r\nContent-Disposition: form-data; name=\"\(file.name)\"; filename=\"\(file.filename)\"\r\nContent-Type: application/octet-stream\r\n\r\n".utf8)
            body += file.data + Array("\r\n".utf8)
        }
        body += Array("--\(Self.boundary)--\r\n".utf8)
        return staff.send("POST", path, headers: ["content-type": "multipart/form-data; boundary=\(Self.boundary)"], body: body)
    }

    static let png = TestImages.png

    /// The texts of the page's messages.
    func messages(_ html: String) -> [String] {
        html.matches(of: /<li class="[a-z]+">([^<]*)<\/li>/).map { String($0.output.1) }
    }

    func count(_ sql: String, _ params: [any PostgresBindable] = []) throws -> Int {
        try database.scalar(sql, params, as: Int.self) ?? -1
    }
}
