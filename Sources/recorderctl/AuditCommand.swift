import Evidence
import EvidenceStore
import Foundation
import Settings

let auditCommand = Command(
    name: "audit",
    synopsis: "audit verify|show [--since TIME]  check or print the hash-chained audit log",
    help: """
    usage: recorderctl audit verify [--store DIR | --config FILE] [--json]
           recorderctl audit show [--since TIME] [--store DIR | --config FILE] [--json]

    The log is STORE/audit/audit.jsonl and the sealed segments before it
    (audit-<first seq>.jsonl, see audit-segment-size); both commands walk them all, in order.
    verify: recomputes every entry's hash and the chain, then looks up the audit anchor of
    every bag in STORE/bags (custody.json "audit": the seq and hash of the newest entry when
    the bag was sealed) in the log. Exit 1 naming each changed, deleted, inserted, reordered
    or malformed line, and each bag whose anchor the log does not hold; a log that ends
    before an anchor (or is missing while bags are anchored in it) is reported as truncated.
    show: prints the entries (from TIME, an ISO 8601 UTC time such as 2026-11-27T08:00:00Z).
    Exit 3 when the store has no audit log (and, for verify, no bag is anchored in one).
    """,
    run: { args in
        let layout = StoreLayout(root: try args.store())
        let since = try args.option("--since")
        let words = try args.positionals(min: 1, max: 1)
        let log = StoreAuditLog(layout)
        switch words[0] {
        case "verify":
            return try verifyAuditLog(log, of: layout)
        case "show":
            let segments = layout.auditSegments()
            guard !segments.isEmpty else { throw NotFound(description: "no audit log at \(log.path)") }
            if let since, ISO8601DateFormatter().date(from: since) == nil {
                throw UsageError(description: "--since \(since) is not an ISO 8601 UTC time like 2026-11-27T08:00:00Z")
            }
            var out = Output()
            var entries: [[String: Any]] = []
            // Segment by segment, oldest first: one segment's text in memory at a time.
            for segment in segments {
                guard let data = FileManager.default.contents(atPath: segment.path) else {
                    out.lines.append("(cannot read \(segment.name))")
                    continue
                }
                for line in String(decoding: data, as: UTF8.self).split(separator: "\n") {
                    guard let entry = try? JSONDecoder().decode(AuditEntry.self, from: Data(line.utf8)) else {
                        out.lines.append("(malformed line) \(line.prefix(80))")
                        continue
                    }
                    if let since, let t = ISO8601DateFormatter.withFraction.date(from: entry.time),
                       let s = ISO8601DateFormatter().date(from: since), t < s { continue }
                    let detail = entry.detail.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
                    out.lines.append("\(entry.seq)\t\(entry.time)\t\(entry.bay ?? "-")\t\(entry.serial ?? "-")\t\(entry.event)\t\(detail)")
                    entries.append(["seq": entry.seq, "time": entry.time, "event": entry.event, "bay": entry.bay ?? NSNull(),
                                    "serial": entry.serial ?? NSNull(), "detail": entry.detail])
                }
            }
            out.json = ["entries": entries]
            if entries.isEmpty { out.exit = .nothingToDo }
            return out
        default:
            throw UsageError(description: "audit takes verify or show, not \(words[0])")
        }
    })

extension ISO8601DateFormatter {
    static var withFraction: ISO8601DateFormatter {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f
    }
}
