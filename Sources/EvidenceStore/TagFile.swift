import Foundation

/// A derived tag file of a bag (a track, a report, the custody record), made only when
/// `LocalStore.finalize` writes it: a bag's reports and custody record are tens of MB for a
/// large catalog, and making them one after the other, straight into their files, keeps at
/// most one of them in memory, and for custody.json and report.json not even that.
package struct TagFile {
    /// Where it goes in the bag, e.g. `report.json`.
    package var path: String
    /// Hands the file's bytes to the sink given, in order, in pieces of any size. A throw means
    /// the file cannot be made (the custody record holds a value JSON cannot hold); what the
    /// sink was given by then is not a file to keep.
    package var write: ((Data) -> Void) throws -> Void

    /// A file made piece by piece.
    package init(path: String, write: @escaping ((Data) -> Void) throws -> Void) {
        self.path = path
        self.write = write
    }

    /// A file whose bytes are already in memory.
    package init(path: String, bytes: [UInt8]) {
        self.init(path: path) { $0(Data(bytes)) }
    }
}
