import Foundation

/// What `AuditChain.verify` found in a log.
public struct AuditVerification: Sendable, Hashable {
    /// Lines that hold a well-formed entry (whether or not it checks out).
    public var entries: Int
    /// Everything wrong, in line order; several problems can concern one line.
    public var problems: [AuditProblem]
    /// The entry on the last line that holds one.
    public var last: AuditEntry?
    /// The seq and hash of every entry whose content matches its hash: what a custody
    /// record's anchor is looked up in (`check(_:bag:)`).
    public var sealed: Set<AuditAnchor> = []
    /// The highest seq of any entry in the log; nil when no line holds an entry. A log that
    /// was cut back ends before the anchors of the bags sealed after the cut.
    public var highestSeq: Int?

    /// No problems: every line is an entry as the gateway wrote it, in an unbroken chain.
    public var isIntact: Bool { problems.isEmpty }
}

/// One thing wrong with one line of the audit log.
public struct AuditProblem: Sendable, Hashable, CustomStringConvertible {
    /// What kind of damage.
    public enum Reason: String, Sendable, Hashable {
        /// Not an entry: not JSON, a field missing, an empty line, or a last line without its
        /// newline (the gateway stopped while appending it).
        case malformed
        /// The entry is not what was sealed: its content does not match its hash, or its bytes
        /// are not the form the gateway writes.
        case changed
        /// `prev` is not the previous line's hash: an entry before it was deleted, inserted or
        /// moved (or, on line 1, the log's beginning is missing).
        case broken
        /// `seq` is not the previous line's seq plus one (1 on line 1).
        case sequence
        /// A sealed segment does not begin at the seq its name says, or holds no entry.
        case segment
    }

    /// 1-based line number in its segment (in the log, when it is one file).
    public var line: Int
    /// What kind of damage.
    public var reason: Reason
    /// For a person, naming the line: "line 7: …", or "audit-000000000001.jsonl line 7: …"
    /// in a log of several segments.
    public var description: String
    /// The file name of the segment the line is in; nil when the log was checked as one text.
    public var segment: String?

    /// A problem.
    public init(line: Int, reason: Reason, description: String, segment: String? = nil) {
        self.line = line
        self.reason = reason
        self.description = description
        self.segment = segment
    }
}

extension AuditChain {
    /// Checks a whole audit log given as one text: every line an entry as the gateway wrote it
    /// (byte for byte), sealed by its hash, linked to the line before and numbered one after it.
    /// `AuditLogWalk` does the same for a log of several segments.
    public static func verify(_ text: String) -> AuditVerification {
        var walk = AuditLogWalk()
        walk.check(text, segment: nil)
        return walk.result
    }
}

/// Checks an audit log segment by segment, oldest first, the chain running on from one
/// segment into the next, so that only one segment's text is held at a time.
///
/// The checks of a line are against the line before as it stands, so one deletion shows as
/// one `broken` and one `sequence` problem on the line after the gap, not a cascade. After a
/// malformed line the next line is checked against the seq and hash the malformed line still
/// shows, if it shows them, and is otherwise not checked for `broken` or `sequence` (the
/// malformed line is reported either way). A segment that was lost shows the same way, on the
/// first line of the segment after it.
public struct AuditLogWalk: Sendable {
    /// What was found so far.
    public private(set) var result = AuditVerification(entries: 0, problems: [], last: nil)
    private var expectedPrev: String? = AuditChain.genesis
    private var expectedSeq: Int? = 1
    private var linesBefore = 0

    /// A walk from the log's beginning.
    public init() {}

    /// Checks the next segment.
    ///
    /// - Parameters:
    ///   - text: the segment's bytes as text.
    ///   - segment: its file name, for problem descriptions; nil for a log that is one text.
    ///   - namedFirstSeq: for a sealed segment, the seq its name says it begins at: a segment
    ///     that begins elsewhere, or holds no entry, is a `segment` problem.
    public mutating func check(_ text: String, segment: String?, namedFirstSeq: Int? = nil) {
        let lines = AuditLines(text)
        let decoder = JSONDecoder()
        var first: Int?

        func report(_ line: Int, _ reason: AuditProblem.Reason, _ what: String) {
            let place = segment.map { "\($0) line \(line)" } ?? "line \(line)"
            result.problems.append(AuditProblem(line: line, reason: reason, description: "\(place): \(what)", segment: segment))
        }

        for (index, bytes) in lines.complete.enumerated() {
            let n = index + 1
            if bytes.isEmpty {
                report(n, .malformed, "is empty")
                continue
            }
            let entry: AuditEntry
            do {
                entry = try decoder.decode(AuditEntry.self, from: Data(bytes))
            } catch {
                report(n, .malformed, "is not an audit entry (\(Self.reason(error)))")
                // Keep the chain going from whatever seal the line still shows.
                let link = try? decoder.decode(Link.self, from: Data(bytes))
                expectedPrev = link?.hash
                expectedSeq = link?.seq.flatMap { Self.successor($0) }
                continue
            }
            result.entries += 1
            result.last = entry
            result.highestSeq = max(result.highestSeq ?? entry.seq, entry.seq)
            if first == nil { first = entry.seq }

            let computed = entry.computedHash
            if computed == entry.hash { result.sealed.insert(AuditAnchor(seq: entry.seq, hash: entry.hash)) }
            if computed != entry.hash {
                report(n, .changed, "entry \(entry.seq) (\(entry.event)) does not match its hash: it was changed after it was written")
            } else if !bytes.elementsEqual(entry.canonicalJSON(includingHash: true).utf8) {
                report(n, .changed, "entry \(entry.seq) (\(entry.event)) is not written the way the gateway writes it (edited by hand or by a tool, or a member added)")
            }
            if let expectedPrev, entry.prev != expectedPrev {
                let atStart = linesBefore == 0 && n == 1
                let what = atStart ? "the first entry has a prev that is not 64 zeros: the beginning of the log is missing"
                    : n == 1 ? "prev does not match the hash of the previous segment's last line: an entry or a segment was deleted, inserted or moved here"
                    : "prev does not match the hash of line \(n - 1): an entry was deleted, inserted or moved here"
                report(n, .broken, what)
            }
            if let expectedSeq, entry.seq != expectedSeq {
                report(n, .sequence, "seq is \(entry.seq), expected \(expectedSeq)")
            }
            expectedPrev = entry.hash
            expectedSeq = Self.successor(entry.seq)
        }

        if let partial = lines.partial {
            let n = lines.complete.count + 1
            report(n, .malformed, "has no final newline (\(partial.count) bytes): the gateway stopped while appending it")
        }
        if let namedFirstSeq {
            if let first, first != namedFirstSeq {
                report(1, .segment, "the segment's name says it begins at seq \(namedFirstSeq), but its first entry is seq \(first)")
            } else if first == nil {
                report(1, .segment, "a sealed segment that holds no entry")
            }
        }
        linesBefore += lines.complete.count + (lines.partial == nil ? 0 : 1)
    }

    /// A segment that is there but cannot be read: its entries are missing from the chain,
    /// which the next segment's first line shows too.
    public mutating func unreadable(_ segment: String) {
        result.problems.append(AuditProblem(line: 0, reason: .malformed, description: "\(segment): cannot be read", segment: segment))
    }

    /// The two fields that link lines, read from a line that is otherwise not an entry.
    private struct Link: Decodable {
        var seq: Int?
        var hash: String?
    }

    private static func successor(_ seq: Int) -> Int? {
        let (next, overflow) = seq.addingReportingOverflow(1)
        return overflow ? nil : next
    }

    /// A decoding error in a few words, without the coding-path noise.
    private static func reason(_ error: any Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, _): "no \(key.stringValue)"
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
            "\(context.codingPath.map(\.stringValue).joined(separator: ".")) has the wrong type"
        case DecodingError.dataCorrupted: "not JSON"
        default: "\(error)"
        }
    }
}
