import Foundation
import JSONLayout
import RecorderHAL

/// What the gateway attests about one dock session: who and what was docked where and when,
/// the state of the recorder's clock, every recording with its hashes and what went wrong.
/// Stored in the bag beside the payload and signed (Ed25519, elsewhere) over `canonicalJSON()`.
///
/// Times are strings in `UTCTimestamp` form (`2026-11-26T08:15:02.123Z`), so what is signed is
/// exactly what a reader sees. Device times are the device's claims, unadjusted; `clock`
/// says how far off that clock was. Every string from the recorder is kept as it said it
/// (untrusted, possibly odd), never "cleaned": this is the record of what it said.
public struct CustodyRecord: Codable, Sendable, Hashable {
    /// The gateway that made the bag.
    public var gateway: Gateway
    /// The bay the recorder was docked in.
    public var bay: String
    /// When the recorder was docked and undocked (gateway clock).
    public var dock: Dock
    /// The recorder as it identified itself.
    public var recorder: Recorder
    /// The recorder's clock against the gateway's; absent when the recorder's family cannot
    /// read its clock (a `clock-not-read` anomaly says so). Never an offset of 0 standing for
    /// "unknown". Records of every earlier version have it.
    public var clock: Clock?
    /// Every recording in this bag, by recording id. Recordings an earlier bag already holds
    /// (the gateway's ledger) are not repeated.
    public var files: [File]
    /// Everything odd about the session up to sealing: hash mismatches, quarantined files,
    /// failed reads, interruptions. The clock is set and recordings released after sealing;
    /// the audit log records those.
    public var anomalies: [Anomaly]
    /// Sums over `files`.
    public var totals: Totals
    /// The audit log's newest entry when the record was sealed. The hash chain shows changes
    /// inside the log; this signed anchor shows a log cut back to before it.
    public var audit: AuditAnchor?
    /// The medium the files were read from (disk identity, each volume's file system and
    /// geometry), for a family that reads a medium (`SourceProvenance`: mass storage); absent
    /// for one that serves files over its own protocol (protocol v1). Each file's `extents`
    /// index its `volumes`.
    public var source: SourceMedium?
    /// How a vendor recorder was unlocked and switched to mass storage before it was read (its
    /// dance: family, commands, outcome, the wait for its return), where each identity field
    /// came from, and its clock's estimated offset; absent for a recorder read as it docked.
    public var unlock: Unlock?

    /// A record from its parts.
    public init(gateway: Gateway, bay: String, dock: Dock, recorder: Recorder, clock: Clock?,
                files: [File], anomalies: [Anomaly], totals: Totals, audit: AuditAnchor? = nil) {
        self.audit = audit
        self.gateway = gateway
        self.bay = bay
        self.dock = dock
        self.recorder = recorder
        self.clock = clock
        self.files = files
        self.anomalies = anomalies
        self.totals = totals
    }

    /// The bytes that get signed and stored: JSON with sorted keys, pretty-printed, `/` not
    /// escaped, and a final newline.
    ///
    /// Deterministic: the same record gives the same bytes from the same build. Verification
    /// checks the signature over the stored bytes, never over a re-encoding, so a later
    /// Foundation that lays out JSON differently cannot invalidate an old signature.
    /// Optional fields that are nil are left out rather than written as `null`.
    ///
    /// Throws only for a value JSON cannot hold (a NaN or infinite Double), naming its field.
    ///
    /// The files are encoded one by one and spliced into the encoder's layout of the rest of
    /// the record (`PrettyJSON.splice`; byte for byte what JSONEncoder writes for the whole
    /// record, CustodyRecordTests checks), because JSONEncoder's own tree of a 50,000-file
    /// record took several times the bytes it wrote. To keep even the output out of memory,
    /// write it with `writeCanonicalJSON(to:)`.
    public func canonicalJSON() throws(CustodyRecordError) -> Data {
        var out = Data()
        try writeCanonicalJSON { out.append($0) }
        return out
    }

    /// Hands the bytes of `canonicalJSON()` to `sink`, in order, in pieces: the members before
    /// `files`, then one file at a time, then the rest. At most one file's encoding is alive
    /// at a time, so a caller that writes each piece to a file holds neither the whole text
    /// nor an encoder's tree of it (#11: custody.json of a 50,000-file record is tens of MB).
    ///
    /// Throws only for a value JSON cannot hold (a NaN or infinite Double), naming its field;
    /// what `sink` was given by then is a beginning of the text, to be thrown away.
    public func writeCanonicalJSON(to sink: (Data) -> Void) throws(CustodyRecordError) {
        var outline = self
        outline.files = []
        do {
            try PrettyJSON.splice(try Self.encode(outline, path: ""), emptyArray: "files", count: files.count,
                                  element: { i in try Self.encode(files[i], path: "files[\(i)]") }, into: sink)
        } catch let error as CustodyRecordError {
            throw error
        } catch {
            throw .notEncodable(field: "", reason: "\(error)")
        }
        sink(Data([0x0A]))
    }

    /// One value as `JSONEncoder` writes it at the top level (sorted, pretty, `/` unescaped).
    private static func encode<T: Encodable>(_ value: T, path: String) throws(CustodyRecordError) -> Data {
        do {
            return try PrettyJSON.encode(value)
        } catch let EncodingError.invalidValue(_, context) {
            let inner = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? "." + $0.stringValue }.joined()
            throw .notEncodable(field: path.isEmpty ? String(inner.drop { $0 == "." }) : path + inner, reason: context.debugDescription)
        } catch {
            throw .notEncodable(field: path, reason: "\(error)")
        }
    }

    /// A record from the bytes `canonicalJSON()` wrote (or any JSON of the same shape).
    public init(json: Data) throws(CustodyRecordError) {
        do {
            self = try JSONDecoder().decode(CustodyRecord.self, from: json)
        } catch {
            throw .notDecodable(reason: "\(error)")
        }
    }
}

/// Why a custody record could not be written or read.
public enum CustodyRecordError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A value JSON cannot hold; `field` is its path, e.g. `clock.offsetMs`.
    case notEncodable(field: String, reason: String)
    /// The bytes are not a custody record.
    case notDecodable(reason: String)

    public var description: String {
        switch self {
        case .notEncodable(let field, let reason): "custody record field \(field) cannot be written as JSON: \(reason)"
        case .notDecodable(let reason): "not a custody record: \(reason)"
        }
    }
}

private extension String {
    func trimmingPrefix(_ p: String) -> String { hasPrefix(p) ? String(dropFirst(p.count)) : self }
}

/// One audit log entry, named by its sequence number and hash.
public struct AuditAnchor: Codable, Sendable, Hashable {
    public var seq: Int
    public var hash: String

    public init(seq: Int, hash: String) {
        self.seq = seq
        self.hash = hash
    }
}
