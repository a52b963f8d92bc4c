import Foundation

/// `forward-hours`: the hours of the day, in the kiosk's local time, when forwarding starts
/// uploads (Docs/configuration.md), e.g. `22:00-06:00` or `12:00-13:00, 22:00-24:00`: the
/// evidence store's own maintenance windows and the uplink's busy hours stay free. Pure: the
/// time and the zone are the caller's.
public struct ForwardHours: Sendable, Equatable, CustomStringConvertible {
    /// From `start` (included) to `end` (excluded), minutes after local midnight; a window
    /// whose end is not after its start runs past midnight.
    public struct Window: Sendable, Equatable {
        public var start: Int
        public var end: Int

        public init(start: Int, end: Int) {
            self.start = start
            self.end = end
        }

        func contains(_ minute: Int) -> Bool {
            start < end ? (start..<end).contains(minute) : minute >= start || minute < end
        }
    }

    public var windows: [Window]

    public init(windows: [Window]) { self.windows = windows }

    /// What is wrong with the text, for the configuration error.
    public enum Problem: Error, Equatable, CustomStringConvertible {
        /// A window that is not `HH:MM-HH:MM`.
        case notAWindow(String)
        /// A time that is not `HH:MM` within 00:00...23:59 (24:00 as an end).
        case notATime(String, window: String)
        /// Start and end the same: no hour at all.
        case empty(String)

        public var description: String {
            switch self {
            case .notAWindow(let w):
                "\"\(w)\" is not a window HH:MM-HH:MM (several separated by commas, like 22:00-06:00, 12:00-13:00), nor always"
            case .notATime(let t, let w):
                "\"\(t)\" in \"\(w)\" is not a time HH:MM, 00:00...23:59 (24:00 as an end)"
            case .empty(let w):
                "\"\(w)\" starts where it ends, so it is no time at all (leave forward-hours out, or write always, to forward at any hour)"
            }
        }
    }

    /// `22:00-06:00, 12:00-13:00` → its windows; `always` → nil (no restriction). Each time is
    /// two digits, a colon, two digits (spaces around the commas and dashes aside); nothing
    /// else is taken.
    public static func parse(_ text: String) throws(Problem) -> ForwardHours? {
        if text == "always" { return nil }
        var windows: [Window] = []
        for piece in text.split(separator: ",", omittingEmptySubsequences: false) {
            let window = piece.trimmingCharacters(in: .whitespaces)
            let ends = window.split(separator: "-", omittingEmptySubsequences: false)
            guard ends.count == 2 else { throw .notAWindow(window) }
            let from = ends[0].trimmingCharacters(in: .whitespaces), to = ends[1].trimmingCharacters(in: .whitespaces)
            guard let start = minute(from, end: false) else { throw .notATime(from, window: window) }
            guard let end = minute(to, end: true) else { throw .notATime(to, window: window) }
            guard start != end else { throw .empty(window) }
            windows.append(Window(start: start, end: end))
        }
        return ForwardHours(windows: windows)
    }

    /// `HH:MM` → minutes after midnight; `24:00` only as an end.
    private static func minute(_ text: String, end: Bool) -> Int? {
        let b = Array(text.utf8)
        guard b.count == 5, b[2] == UInt8(ascii: ":"), [0, 1, 3, 4].allSatisfy({ (0x30...0x39).contains(b[$0]) }) else { return nil }
        let h = Int(b[0] - 0x30) * 10 + Int(b[1] - 0x30), m = Int(b[3] - 0x30) * 10 + Int(b[4] - 0x30)
        guard m < 60, h < 24 || (end && h == 24 && m == 0) else { return nil }
        return h * 60 + m
    }

    /// Whether uploads may start at `minute` after local midnight.
    public func isOpen(minuteOfDay minute: Int) -> Bool { windows.contains { $0.contains(minute) } }

    /// Whether uploads may start at `date`, local time in `zone`.
    public func isOpen(at date: Date, in zone: TimeZone) -> Bool {
        let c = Self.calendar(zone).dateComponents([.hour, .minute], from: date)
        return isOpen(minuteOfDay: (c.hour ?? 0) * 60 + (c.minute ?? 0))
    }

    /// The next time after `date` that a window opens (its start, local time in `zone`; a
    /// start the clocks skip over is taken as the next time that exists).
    public func nextOpening(after date: Date, in zone: TimeZone) -> Date? {
        let calendar = Self.calendar(zone)
        return windows.compactMap { w in
            calendar.nextDate(after: date, matching: DateComponents(hour: w.start / 60, minute: w.start % 60, second: 0),
                              matchingPolicy: .nextTime)
        }.min()
    }

    private static func calendar(_ zone: TimeZone) -> Calendar {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        return calendar
    }

    /// `22:00-06:00,12:00-13:00`, as configured (normalised).
    public var description: String {
        windows.map { Self.text($0.start) + "-" + Self.text($0.end) }.joined(separator: ",")
    }

    /// Minutes after midnight as `HH:MM`.
    public static func text(_ minute: Int) -> String {
        let h = minute / 60, m = minute % 60
        return (h < 10 ? "0" : "") + "\(h):" + (m < 10 ? "0" : "") + "\(m)"
    }
}
