/// A number of seconds as a person writes it on a command line or in a configuration file
/// (`--idle-exit 2.5`, `forward-wait = 120`), checked against its range before anything
/// converts it: `Int64(x * 1000)` of an `inf`, a `nan` or a `1e300` traps.
public enum SecondsValue {
    /// The most seconds whose milliseconds still fit an Int64 (with room to spare).
    static let limit = 9.2e15

    /// `text` as a duration, to the millisecond, when it is a finite number of seconds inside
    /// `range`; nil for anything else (not a number, `nan`, `inf`, outside the range, or beyond
    /// ±9.2·10^15 seconds whatever the range says).
    public static func parse(_ text: String, in range: ClosedRange<Double>) -> Duration? {
        guard let seconds = Double(text), seconds.isFinite, range.contains(seconds), abs(seconds) <= limit else { return nil }
        return .milliseconds(Int64((seconds * 1000).rounded()))
    }
}
