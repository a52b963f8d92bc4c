import Evidence
import Foundation

let auditCommand = Command(
    name: "audit",
    synopsis: "audit verify|show [--since TIME]  check or print the hash-chained audit log",
    help: """
    usage: recorderctl audit verify [--store DIR | --config FILE] [--json]
           recorderctl audit show [--since TIME] [--store DIR | --config FILE] [--json]

    verify: recomputes every entry's hash and the chain; exit 1 naming each changed, deleted,
    inserted, reordered or malformed line. show: prints the entries (from TIME, an ISO 8601
    UTC time such as 2026-11-27T08:00:00Z). Exit 3 when the store has no audit log.
    """,
    run: { args in
        let store = try args.store()
        let since = try args.option("--since")
        let words = try args.positionals(min: 1, max: 1)
        let path = store + "/audit/audit.jsonl"
        guard let data = FileManager.default.contents(atPath: path) else { throw NotFound(description: "no audit log at \(path)") }
        let text = String(decoding: data, as: UTF8.self)
        switch words[0] {
        case "verify":
            let v = AuditChain.verify(text)
            var out = Output()
            out.exit = v.isIntact ? .ok : .failure
            out.lines = [v.isIntact ? "OK    \(v.entries) entries, chain intact (\(path))" : "FAIL  \(v.entries) entries, \(v.problems.count) problem(s) (\(path))"]
            out.lines += v.problems.map { "      \($0)" }
            out.json = ["path": path, "entries": v.entries, "ok": v.isIntact,
                        "problems": v.problems.map { ["line": $0.line, "reason": $0.reason.rawValue, "description": $0.description] },
                        "last": v.last.map { ["seq": $0.seq, "hash": $0.hash] as [String: Any] } ?? NSNull()]
            return out
        case "show":
            if let since, ISO8601DateFormatter().date(from: since) == nil {
                throw UsageError(description: "--since \(since) is not an ISO 8601 UTC time like 2026-11-27T08:00:00Z")
            }
            var out = Output()
            var entries: [[String: Any]] = []
            for line in text.split(separator: "\n") {
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
