import Foundation
import Testing

/// The real receiver captures in shared/testdata/nmea, found by walking up from this file.
///
/// They live beside the checkout, not in it; on a fresh clone they are absent and the tests
/// that need them are skipped (with this reason) rather than failed.
enum Captures {
    static let skipReason: Comment = "skipped: shared/testdata/nmea not found in any folder above \(#filePath)"

    static let directory: URL? = {
        var dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while dir.path != "/" {
            let candidate = dir.appendingPathComponent("shared/testdata/nmea")
            if FileManager.default.fileExists(atPath: candidate.appendingPathComponent("README.md").path) {
                return candidate
            }
            dir = dir.deletingLastPathComponent()
        }
        return nil
    }()

    /// Whether the captures are here; says why not, once, when they are not.
    static let available: Bool = {
        if directory == nil { print(skipReason) }
        return directory != nil
    }()

    static func url(_ name: String) -> URL { directory!.appendingPathComponent(name) }

    static func bytes(_ name: String) throws -> [UInt8] { Array(try Data(contentsOf: url(name))) }
}
