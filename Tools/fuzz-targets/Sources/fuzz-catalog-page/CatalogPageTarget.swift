import FuzzSupport
import RecorderProtocol

/// The CATALOG reply, the largest message a device sends and the one whose fields (paths,
/// sizes, counts) the gateway trusts least. Checks: decoding never traps; a page decodes to
/// entries whose re-encoding is byte for byte the payload, except what the layout says is
/// not carried (flag bits 2–7, and the hash bytes when flag bit 1 is clear); the re-encoded
/// page decodes to the same page.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let payload = fuzzInput(data, size)
    let page: CatalogPage
    do throws(MessageError) { page = try CatalogPage(payload: payload) } catch { return 0 }
    let encoded = page.encoded()
    invariant(encoded.count == payload.count, "re-encoded \(encoded.count) bytes from \(payload.count)")
    invariant(encoded[0..<6] == payload[0..<6], "nextCursor or count changed")
    var offset = 6
    for (i, entry) in page.entries.enumerated() {
        invariant(!entry.pathBytes.isEmpty, "entries[\(i)] has an empty path")
        let flags = offset + 5, hash = offset + 34, end = offset + 68 + entry.pathBytes.count
        for k in offset..<end where k != flags && (entry.deviceSHA256 != nil || !(hash..<(hash + 32)).contains(k)) {
            invariant(encoded[k] == payload[k], "entries[\(i)]: byte \(k) re-encodes as \(encoded[k]), was \(payload[k])")
        }
        invariant(encoded[flags] == payload[flags] & 3, "entries[\(i)]: flags \(encoded[flags]) from \(payload[flags])")
        offset = end
    }
    invariant(offset == payload.count, "entries end at \(offset), the payload at \(payload.count)")
    let again: CatalogPage
    do throws(MessageError) { again = try CatalogPage(payload: encoded) } catch {
        invariant(false, "a page encodes to bytes it refuses: \(error)")
        return 0
    }
    invariant(again == page, "the re-encoded page decodes differently")
    return 0
}
