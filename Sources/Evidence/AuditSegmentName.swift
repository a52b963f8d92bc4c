/// The file names of the audit log's segments (Docs/evidence-format.md §6.6).
///
/// The log is written to the open segment, `audit.jsonl`; when it has grown past the
/// configured size it is renamed to a sealed segment named by the seq of its first entry, and
/// a new open segment continues the same chain. Pure: names only, no I/O.
public enum AuditSegmentName {
    /// The segment new entries are appended to.
    public static let open = "audit.jsonl"

    /// Digits of the seq in a sealed segment's name: names of seqs below 10^12 sort as their
    /// seqs do; longer seqs get longer names, and readers sort by the parsed seq anyway.
    static let digits = 12

    /// The name of the sealed segment whose first entry has `firstSeq`:
    /// `audit-000000000001.jsonl`.
    public static func sealed(firstSeq: Int) -> String {
        let number = String(max(firstSeq, 0))
        return "audit-" + String(repeating: "0", count: max(0, digits - number.count)) + number + ".jsonl"
    }

    /// The first seq a sealed segment's name says it holds; nil when `name` is not a sealed
    /// segment's name (exactly `audit-`, at least 12 decimal digits, `.jsonl`).
    public static func firstSeq(ofSealed name: String) -> Int? {
        guard name.hasPrefix("audit-"), name.hasSuffix(".jsonl") else { return nil }
        let number = name.dropFirst("audit-".count).dropLast(".jsonl".count)
        guard number.count >= digits, number.utf8.allSatisfy({ (0x30...0x39).contains($0) }) else { return nil }
        return Int(number)
    }
}
