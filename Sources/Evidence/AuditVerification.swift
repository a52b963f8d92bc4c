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
    }

    /// 1-based line number in the log.
    public var line: Int
    /// What kind of damage.
    public var reason: Reason
    /// For a person, naming the line: "line 7: …".
    public var description: String

    /// A problem.
    public init(line: Int, reason: Reason, description: String) {
        self.line = line
        self.reason = reason
        self.description = description
    }
}

extension AuditChain {
    /// Checks a whole audit log: every line an entry as the gateway wrote it (byte for byte),
    /// sealed by its hash, linked to the line before and numbered one after it.
    ///
    /// The checks of a line are against the line before as it stands, so one deletion shows as
    /// one `broken` and one `sequence` problem on the line after the gap, not a cascade. After a
    /// malformed line the next line is checked against the seq and hash the malformed line
    /// still shows, if it shows them, and is otherwise not checked for `broken` or `sequence`
    /// (the malformed line is reported either way).
    public static func verify(_ text: String) -> AuditVerification {
        let lines = AuditLines(text)
        let decoder = JSONDecoder()
        var result = AuditVerification(entries: 0, problems: [], last: nil)
        var expectedPrev: String? = genesis
        var expectedSeq: Int? = 1

        func report(_ line: Int, _ reason: AuditProblem.Reason, _ what: String) {
            result.problems.append(AuditProblem(line: line, reason: reason, description: "line \(line): \(what)"))
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

            let computed = entry.computedHash
            if computed == entry.hash { result.sealed.insert(AuditAnchor(seq: entry.seq, hash: entry.hash)) }
            if computed != entry.hash {
                report(n, .changed, "entry \(entry.seq) (\(entry.event)) does not match its hash: it was changed after it was written")
            } else if !bytes.elementsEqual(entry.canonicalJSON(includingHash: true).utf8) {
                report(n, .changed, "entry \(entry.seq) (\(entry.event)) is not written the way the gateway writes it (edited by hand or by a tool, or a member added)")
            }
            if let expectedPrev, entry.prev != expectedPrev {
                report(n, .broken, n == 1
                       ? "the first entry has a prev that is not 64 zeros: the beginning of the log is missing"
                       : "prev does not match the hash of line \(n - 1): an entry was deleted, inserted or moved here")
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
        return result
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
