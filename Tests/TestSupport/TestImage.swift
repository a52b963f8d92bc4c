import Foundation

/// An image made by Tests/volumes/make-image.sh (mkfs.vfat, mtools, sfdisk) in a temporary
/// directory, with the sectors its volumes start at.
public struct TestImage {
    public let url: URL
    /// Each volume's first 512-byte sector, in partition order.
    public let volumeSectors: [UInt64]

    public init(url: URL, volumeSectors: [UInt64]) {
        self.url = url
        self.volumeSectors = volumeSectors
    }

    public static func make(_ kind: String, in directory: URL) throws -> TestImage {
        let script = packageRoot.appendingPathComponent("Tests/volumes/make-image.sh").path
        let result = try run("/bin/bash", [script, kind, directory.path], mergingErrors: true)
        guard result.status == 0 else { throw SleuthKit.Failure("make-image.sh \(kind): \(result.output)") }
        let sectors = try String(contentsOf: directory.appendingPathComponent("volumes.txt"), encoding: .utf8)
            .split(separator: "\n").compactMap { UInt64($0) }
        return TestImage(url: directory.appendingPathComponent("image.img"), volumeSectors: sectors)
    }
}
