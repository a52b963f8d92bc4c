import Foundation
import RecorderHAL

/// Wraps links in `CaptureLink` when `--capture-dir` is given, one file per dock:
/// `DIR/<bay>-<yyyyMMddTHHmmssZ>.capture`.
struct LinkCapturer: Sendable {
    let directory: String?

    func wrap(_ link: any RecorderLink, port: String) -> any RecorderLink {
        guard let path = path(port: port) else { return link }
        do {
            return try CaptureLink(link, path: path)
        } catch {
            FileHandle.standardError.write(Data("recorder-gatewayd: cannot capture to \(path): \(error)\n".utf8))
            return link
        }
    }

    /// The file a dock in the bay at `port` beginning now is captured to; nil without
    /// `--capture-dir`. A vendor recorder's dock is given it (`Gateway.dockVendor`).
    func path(port: String) -> String? {
        guard let directory else { return nil }
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        return directory + "/" + port + "-" + f.string(from: Date()) + ".capture"
    }

    /// Says, when captures were asked for, that the mass-storage dock at `port` has none: a
    /// capture file holds protocol v1's framed stream (Docs/simulator.md, "Captures"), and a
    /// mass-storage conversation is not one, so it is docked without.
    func sayNotCaptured(port: String) {
        guard directory != nil else { return }
        log("bay \(port): not captured: --capture-dir records protocol v1's framed streams, and this recorder is a mass-storage disk")
    }
}
