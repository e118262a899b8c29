import CZlib

/// zlib's format (RFC 1950), as Python's `zlib.compress`/`zlib.decompress`
/// write and read it: Django's signing compresses a signed value's payload
/// when that makes it shorter.
enum Zlib {
    /// At the default level, as `zlib.compress(data)`, but with a window and hash
    /// sized to the input: zlib's defaults (32 KB window, 256 KB of state to
    /// allocate and clear) made compressing a 200-byte session cost 50 µs, a
    /// fitted window about 5. The stream is standard zlib; its header names the
    /// window, so any inflater (Python's `zlib.decompress`) reads it.
    static func compress(_ bytes: [UInt8]) -> [UInt8] {
        // The smallest window holding the whole input (plus zlib's 262-byte lookahead), 512 B to 32 KB.
        var windowBits: Int32 = 9
        while windowBits < 15 && (1 << windowBits) < bytes.count + 262 { windowBits += 1 }
        var stream = z_stream()
        var status = deflateInit2_(&stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, windowBits, max(1, windowBits - 7),
                                   Z_DEFAULT_STRATEGY, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        precondition(status == Z_OK, "zlib deflateInit2 failed (\(status))")
        defer { deflateEnd(&stream) }
        var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, uLong(bytes.count))))
        var input = bytes
        let produced = input.withUnsafeMutableBufferPointer { input in
            output.withUnsafeMutableBufferPointer { out -> Int in
                stream.next_in = input.baseAddress
                stream.avail_in = uInt(input.count)
                stream.next_out = out.baseAddress
                stream.avail_out = uInt(out.count)
                status = deflate(&stream, Z_FINISH)
                return out.count - Int(stream.avail_out)
            }
        }
        precondition(status == Z_STREAM_END, "zlib deflate failed (\(status))")
        output.removeSubrange(produced...)
        return output
    }

    /// The inflated bytes, or nil for anything that is not one complete zlib
    /// stream, or that inflates beyond `limit` bytes (a zip bomb stops there).
    static func decompress(_ bytes: [UInt8], limit: Int) -> [UInt8]? {
        guard !bytes.isEmpty else { return nil }
        var stream = z_stream()
        guard inflateInit_(&stream, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else { return nil }
        defer { inflateEnd(&stream) }
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: max(256, min(limit, bytes.count * 4)))
        var input = bytes
        return input.withUnsafeMutableBufferPointer { input -> [UInt8]? in
            stream.next_in = input.baseAddress
            stream.avail_in = uInt(input.count)
            while true {
                let (status, produced) = chunk.withUnsafeMutableBufferPointer { out -> (Int32, Int) in
                    stream.next_out = out.baseAddress
                    stream.avail_out = uInt(out.count)
                    let status = inflate(&stream, Z_NO_FLUSH)
                    return (status, out.count - Int(stream.avail_out))
                }
                output.append(contentsOf: chunk[0..<produced])
                if output.count > limit { return nil }
                switch status {
                case Z_STREAM_END: return output
                case Z_OK: if produced == 0 && stream.avail_in == 0 { return nil }  // truncated
                default: return nil
                }
            }
        }
    }
}
