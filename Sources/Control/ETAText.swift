/// "ETA 3:07": how long the bytes still to come take at the rate so far, for the kiosk screen
/// and `recorderctl watch`.
///
/// The remaining bytes come from the recorder's catalog (sizes up to 2^64) and the rate may be
/// a few bytes a second on a stalled link, so the quotient can be any size: it is shown as
/// `ETA >99h` past 99 hours rather than converted to an Int, which would trap.
public enum ETAText {
    /// The most seconds shown as minutes and seconds.
    static let longest = 99.0 * 3600

    /// `ETA m:ss`, or `ETA >99h`; nil when there is nothing to estimate (no rate yet, nothing
    /// left, or a value that is not a finite number).
    public static func text(remainingBytes: Double, bytesPerSecond: Double) -> String? {
        guard remainingBytes > 0, bytesPerSecond > 0, remainingBytes.isFinite, bytesPerSecond.isFinite else { return nil }
        let seconds = remainingBytes / bytesPerSecond
        guard seconds <= longest else { return "ETA >99h" }
        let s = Int(seconds)
        return "ETA \(s / 60):" + (s % 60 < 10 ? "0" : "") + "\(s % 60)"
    }
}
