import Foundation

/// Makes the entries of the hash-chained audit log, one after another. Pure: the caller appends
/// each returned line to `audit.jsonl` (and fsyncs); `verify` checks a whole log.
///
/// Guarantees: each entry's `seq` is one more than the previous entry's and its `prev` is the
/// previous entry's `hash` (64 zeros and seq 1 for the first), so `verify` finds any entry
/// changed, deleted, inserted or moved, as long as some entry after it is left as written.
/// What a hash chain cannot show on its own: lines cut off the end, or the whole tail rewritten
/// from some point; for that the last hash must be kept elsewhere too (in a signed custody
/// record, say).
public struct AuditChain: Sendable {
    /// The `prev` of the first entry: 64 zeros.
    public static let genesis = String(repeating: "0", count: 64)

    /// The entry the next one will follow; nil before the first.
    public private(set) var last: AuditEntry?

    /// A chain that continues after `last`: pass `lastEntry(in:)` of the existing log, or nil
    /// for a new log.
    public init(last: AuditEntry?) {
        self.last = last
    }

    /// Seals the next entry and returns it with its line (one line of JSON and `\n`) to append
    /// to the log. The chain moves on at once: if the line cannot be written, make a new chain
    /// from `lastEntry(in:)` of what is on disk rather than reuse this one.
    ///
    /// `detail` values may hold any text; line breaks are escaped, so the line stays one line.
    public mutating func append(_ event: AuditEvent, serial: String? = nil, bay: String? = nil,
                                detail: [String: String] = [:], at time: Date) -> (entry: AuditEntry, line: String) {
        let (seq, overflow) = (last?.seq ?? 0).addingReportingOverflow(1)
        // Only a log whose last seq was forged to Int.max gets here; restarting the count
        // makes verify report it rather than trap the gateway.
        let entry = AuditEntry(seq: overflow ? 1 : seq, time: UTCTimestamp.string(time), event: event.rawValue,
                               serial: serial, bay: bay, detail: detail, prev: last?.hash ?? Self.genesis)
        last = entry
        return (entry, entry.line)
    }

    /// The entry on the last complete line of `text` that holds one, to resume the chain from.
    /// A trailing partial line (the gateway stopped while appending) is skipped, as are
    /// malformed lines; nil if no line holds an entry.
    ///
    /// Before appending after a partial line, the writer must end it (or move it aside):
    /// otherwise the new line would be glued to it. `verify` reports the partial line either way.
    public static func lastEntry(in text: String) -> AuditEntry? {
        let lines = AuditLines(text)
        let decoder = JSONDecoder()
        for line in lines.complete.reversed() {
            if let entry = try? decoder.decode(AuditEntry.self, from: Data(line)) { return entry }
        }
        return nil
    }
}

extension AuditChain {
    /// The entry on the first complete line of `text` that holds one; nil if none does.
    public static func firstEntry(in text: String) -> AuditEntry? {
        let decoder = JSONDecoder()
        for line in AuditLines(text).complete {
            if let entry = try? decoder.decode(AuditEntry.self, from: Data(line)) { return entry }
        }
        return nil
    }
}

/// `audit.jsonl` cut into lines: the complete ones (each ended by `\n`), and the bytes after
/// the last `\n`, if any.
struct AuditLines {
    var complete: [ArraySlice<UInt8>]
    var partial: ArraySlice<UInt8>?

    init(_ text: String) {
        let bytes = Array(text.utf8)
        var pieces = bytes.split(separator: 0x0A, omittingEmptySubsequences: false)
        let tail = pieces.removeLast()
        complete = pieces
        partial = tail.isEmpty ? nil : tail
    }
}
