// swift-tools-version:6.0
// The shop: a Swift port of the classic Django online shop, served by a
// FastCGI worker pool behind nginx. See README.md for the layout.
import PackageDescription

let argumentParser = Target.Dependency.product(name: "ArgumentParser", package: "swift-argument-parser")

let package = Package(
    name: "shop",
    products: [
        .executable(name: "shop", targets: ["ShopCLI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", exact: "1.8.2"),
    ],
    targets: [
        // C libraries from Debian, one module map each.
        .systemLibrary(name: "CFastCGI", pkgConfig: "fcgi", providers: [.apt(["libfcgi-dev"])]),
        .systemLibrary(name: "CLibPQ", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
        .systemLibrary(name: "COpenSSL", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        // zlib: Django's signing compresses what it signs when that makes it shorter.
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        // No pkgConfig: hiredis.pc adds -D_FILE_OFFSET_BITS=64, which SwiftPM refuses with a warning.
        .systemLibrary(name: "CHiredis", providers: [.apt(["libhiredis-dev"])]),

        // futex(2) for the pool's shared memory: Swift cannot call the variadic syscall(2).
        // Its debug information as DWARF 4, as Swift writes its own: clang's default, DWARF 5,
        // made Debian's valgrind (3.19) give up on the whole executable, and with it
        // `BENCH_INSTRUCTIONS=1 make bench`.
        .target(name: "CFutex", cSettings: [.unsafeFlags(["-gdwarf-4"])]),

        // Infrastructure.
        .target(name: "Postgres", dependencies: ["CLibPQ"]),
        .target(name: "FastCGI", dependencies: ["CFastCGI"]),
        .target(name: "Pool", dependencies: ["FastCGI"]),
        .target(name: "Web", dependencies: ["Postgres", "COpenSSL", "CHiredis", "CZlib", "CFutex"]),

        // The apps, as in Django.
        .target(name: "Shop", dependencies: ["Web", "Postgres"]),
        .target(name: "Cart", dependencies: ["Web", "Postgres", "Shop"]),
        .target(name: "Orders", dependencies: ["Web", "Postgres", "Shop", "Cart"]),
        .target(name: "Admin", dependencies: ["Web", "Postgres", "Shop", "Orders"]),

        // The project: wires the apps into one Application (Django's project urls.py and settings).
        .target(name: "Site", dependencies: ["Web", "Postgres", "Shop", "Cart", "Orders", "Admin"]),

        // The `shop` command: serve, migrate, createsuperuser, loaddemo, clearsessions.
        .executableTarget(
            name: "ShopCLI",
            dependencies: ["Postgres", "FastCGI", "Pool", "Web", "Site", argumentParser]
        ),

        // Tests. TestSupport holds the fixtures the suites share (database, processes).
        .target(name: "TestSupport", dependencies: ["Postgres", "Web", "Site"], path: "Tests/TestSupport"),
        .testTarget(name: "PostgresTests", dependencies: ["Postgres", "TestSupport"]),
        .testTarget(name: "FastCGITests", dependencies: ["FastCGI"]),
        .testTarget(name: "WebTests", dependencies: ["Web", "TestSupport"]),
        .testTarget(name: "AppTests", dependencies: ["Shop", "Cart", "Orders", "Admin", "Web", "Site", "TestSupport"]),
        .testTarget(name: "IntegrationTests", dependencies: ["TestSupport", "Postgres"]),
    ]
)

// Release builds optimize across the shop's modules (Web's generics specialized for the apps,
// Postgres's small functions inlined where they are called): about 5% less worker CPU an
// add-to-cart (README, "Performance"). They also leave out Swift's run-time exclusivity checks
// (`swift_beginAccess` on every access to a class's property or a global the compiler could not
// prove alone): 4-6% of every request's instructions. Debug builds, and so every test run, keep
// both as they were: an overlapping access there still traps.
for target in package.targets where (target.type == .regular || target.type == .executable) && target.path == nil
    && target.name != "CFutex" {
    target.swiftSettings = (target.swiftSettings ?? []) + [
        .unsafeFlags(["-cross-module-optimization", "-enforce-exclusivity=unchecked"], .when(configuration: .release)),
    ]
}
