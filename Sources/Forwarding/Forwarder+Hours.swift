import Foundation
import Settings

/// `forward-hours`: outside its windows no upload starts (Docs/operations.md, "Forwarding:
/// order, rate and hours").
///
/// What stops at a window's end: the next request. A PUT or a part already on the wire
/// finishes (and is verified), but no new PUT or part starts, and a multipart object waits
/// mid-way, its upload id in the journal, until the next window opens. Finishing the whole
/// object instead could run hours past the window (a 4 GiB video at a capped rate, times
/// `uploads-in-flight`); stopping requests halfway would throw their bytes away. So the
/// overrun is at most `uploads-in-flight` requests of at most `part-size` each.
extension Forwarder {
    /// Whether uploads may start now (always without `forward-hours`), and if not, when the
    /// next window opens; local time of the kiosk (`TimeZone.current`).
    public nonisolated func window(at now: Date = Date()) -> (open: Bool, opens: Date?) {
        guard let hours = settings.hours, !hours.isOpen(at: now, in: .current) else { return (true, nil) }
        return (false, hours.nextOpening(after: now, in: .current))
    }

    /// Outside `forward-hours`, when forwarding resumes, as the kiosk's clock shows it
    /// (`2026-12-06T22:00:00+08:00`); nil while uploads may start.
    public nonisolated func resumes(at now: Date = Date()) -> String? {
        let (open, opens) = window(at: now)
        return open ? nil : opens.map(Self.localText) ?? "-"
    }

    /// Waits, while outside `forward-hours`, until a window opens (or the task is cancelled),
    /// saying so in the log when it starts waiting and when the window opens.
    func waitForWindow() async {
        var said = false
        while !Task.isCancelled {
            let (open, opens) = window()
            if open {
                if said { noteWindow(open: true, opens: nil) }
                return
            }
            if !said { noteWindow(open: false, opens: opens) }
            said = true
            let seconds = min(5, max(0.05, opens?.timeIntervalSinceNow ?? 5))
            try? await Task.sleep(for: .milliseconds(Int64(seconds * 1000)))
        }
    }

    /// One line in the log when forwarding pauses for the hours or goes on again (once per
    /// change, whoever notices it first).
    func noteWindow(open: Bool, opens: Date?) {
        guard windowClosedNoted == open else { return }
        windowClosedNoted = !open
        let hours = settings.hours?.description ?? "always"
        let line = open ? "recorder-gatewayd: forward-hours \(hours): the window is open, forwarding goes on\n"
            : "recorder-gatewayd: forward-hours \(hours): outside the window, no upload starts; forwarding resumes at "
                + (opens.map(Self.localText) ?? "-") + "\n"
        FileHandle.standardError.write(Data(line.utf8))
    }

    /// A time as the kiosk's local clock shows it, with its offset: `2026-12-06T22:00:00+08:00`.
    public nonisolated static func localText(_ date: Date) -> String {
        let f = ISO8601DateFormatter()
        f.timeZone = .current
        f.formatOptions = [.withInternetDateTime]
        return f.string(from: date)
    }
}
