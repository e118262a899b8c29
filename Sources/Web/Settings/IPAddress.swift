import Glibc

/// IPv4 and IPv6 literals, as REMOTE_ADDR carries them.
enum IPAddress {
    static func isValid(_ text: String) -> Bool {
        var buffer = [UInt8](repeating: 0, count: 16)
        return inet_pton(AF_INET, text, &buffer) == 1 || inet_pton(AF_INET6, text, &buffer) == 1
    }
}
