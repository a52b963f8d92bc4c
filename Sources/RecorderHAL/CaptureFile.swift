import Foundation

/// The one way a capture file is opened, for the protocol-v1 capture and the vendor capture
/// alike: its directory made if need be, the file created empty with mode 0640 (a capture shows
/// a recorder's exchanges, so the kiosk's group may read it and nobody else).
enum CaptureFile {
    /// A handle writing to a new, empty file at `path`; throws naming the path when it cannot.
    static func create(atPath path: String) throws -> FileHandle {
        let dir = (path as NSString).deletingLastPathComponent
        if !dir.isEmpty { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) }
        guard FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o640]),
              let handle = FileHandle(forWritingAtPath: path) else {
            throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: path])
        }
        return handle
    }
}
