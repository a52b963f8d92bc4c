import FuzzSupport
import Settings

/// The gateway configuration parser on arbitrary UTF-8 text (the file reader refuses anything
/// else before parsing), then the cross-setting checks. Checks: no trap; an error names a line within the text;
/// parsing is deterministic.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard let text = String(validating: fuzzInput(data, size), as: UTF8.self) else { return 0 }
    let lines = text.split(separator: "\n", omittingEmptySubsequences: false).count
    do throws(ConfigError) {
        let config = try GatewayConfig(text: text, file: "fuzz.conf")
        let again = try GatewayConfig(text: text, file: "fuzz.conf")
        invariant(config == again, "the same text gave a different configuration")
        _ = try config.validated(file: "fuzz.conf")
    } catch {
        invariant((0...lines).contains(error.line), "error on line \(error.line) of \(lines): \(error)")
    }
    return 0
}
