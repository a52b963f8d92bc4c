import GatewayCrypto

/// One line of the audit log (`audit.jsonl`), sealed by a SHA-256 that also covers the previous
/// line's seal, so that changing, deleting, inserting or reordering lines shows.
///
/// `hash` is the lowercase hex SHA-256 of the entry's canonical JSON (`CanonicalJSON`: sorted
/// keys, no whitespace, `/` unescaped) without the `hash` member; nil `serial` and `bay` are left
/// out, not written as null. The line in the file is the canonical JSON with `hash`.
///
/// Entries are decoded with `JSONDecoder`; encode them with `line`, not with `JSONEncoder`,
/// whose output is not the canonical form.
public struct AuditEntry: Codable, Sendable, Hashable {
    /// Position in the log, from 1.
    public var seq: Int
    /// When, by the gateway's clock, in `UTCTimestamp` form.
    public var time: String
    /// An `AuditEvent` raw value (kept as text so that entries of a newer version still read).
    public var event: String
    /// The recorder's serial, when the event concerns one.
    public var serial: String?
    /// The bay, when the event concerns one.
    public var bay: String?
    /// Event-specific facts, e.g. `recording`, `sha256`, `reason`. Written sorted by key.
    public var detail: [String: String]
    /// The previous entry's `hash`; 64 zeros for the first entry.
    public var prev: String
    /// The seal: SHA-256 of this entry without `hash`, hex.
    public var hash: String

    /// An entry with every field given, `hash` included: what a decoder or a test that forges
    /// entries needs. Use `AuditChain.append` to make real ones.
    public init(seq: Int, time: String, event: String, serial: String?, bay: String?,
                detail: [String: String], prev: String, hash: String) {
        self.seq = seq
        self.time = time
        self.event = event
        self.serial = serial
        self.bay = bay
        self.detail = detail
        self.prev = prev
        self.hash = hash
    }

    /// An entry sealed with the hash of its content.
    public init(seq: Int, time: String, event: String, serial: String?, bay: String?,
                detail: [String: String], prev: String) {
        self.init(seq: seq, time: time, event: event, serial: serial, bay: bay, detail: detail,
                  prev: prev, hash: "")
        hash = computedHash
    }

    /// What `hash` should be for the current content.
    public var computedHash: String {
        hexString(SHA256Hasher.hash(canonicalJSON(includingHash: false).utf8))
    }

    /// The entry as one line of `audit.jsonl`: canonical JSON with `hash`, then `\n`. Always a
    /// single line: line breaks inside values are escaped.
    public var line: String {
        canonicalJSON(includingHash: true) + "\n"
    }

    func canonicalJSON(includingHash: Bool) -> String {
        var members: [(key: String, json: String)] = [
            ("seq", String(seq)),
            ("time", CanonicalJSON.string(time)),
            ("event", CanonicalJSON.string(event)),
            ("detail", CanonicalJSON.object(detail)),
            ("prev", CanonicalJSON.string(prev)),
        ]
        if let serial { members.append(("serial", CanonicalJSON.string(serial))) }
        if let bay { members.append(("bay", CanonicalJSON.string(bay))) }
        if includingHash { members.append(("hash", CanonicalJSON.string(hash))) }
        return CanonicalJSON.object(members)
    }
}
