import COpenSSL

/// HMAC-SHA256 under one fixed key, with the key's two padded blocks hashed once, when the
/// key is made: each MAC then copies two SHA-256 states and hashes only the message and the
/// inner digest. OpenSSL 3's one-shot `HMAC()` looks the algorithm up by name, allocates and
/// keys a fresh context on every call: it was 6% of an add-to-cart's worker CPU (two MACs,
/// the session's signature on load and on save). RFC 2104; `SessionCryptoTests` checks it
/// against RFC 4231's vectors and OpenSSL's one-shot function. `Crypto.hmacSHA256` is this.
public struct HMACSHA256Key: Sendable {
    private var inner = SHA256_CTX()
    private var outer = SHA256_CTX()

    public init(_ key: some Collection<UInt8>) {
        var block = key.count > 64 ? Crypto.sha256(key) : Array(key)
        block += repeatElement(0, count: 64 - block.count)
        let innerPad = block.map { $0 ^ 0x36 }, outerPad = block.map { $0 ^ 0x5c }
        SHA256_Init(&inner)
        SHA256_Update(&inner, innerPad, 64)
        SHA256_Init(&outer)
        SHA256_Update(&outer, outerPad, 64)
    }

    public func mac(_ message: some Collection<UInt8>) -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: Crypto.sha256Length)
        var context = inner
        if message.withContiguousStorageIfAvailable({ SHA256_Update(&context, $0.baseAddress, $0.count) }) == nil {
            let bytes = Array(message)
            SHA256_Update(&context, bytes, bytes.count)
        }
        SHA256_Final(&digest, &context)
        context = outer
        SHA256_Update(&context, digest, digest.count)
        SHA256_Final(&digest, &context)
        return digest
    }
}
