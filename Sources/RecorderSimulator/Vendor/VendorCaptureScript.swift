import Foundation
import MassStorageProtocol

/// A vendor recorder's dock capture (`recorder-gateway-transfer-capture`, written by
/// `TransferCaptureLink`) read for playback: the unlock's transfers in order, what the bus said,
/// and the mass-storage part's exchanges by command. Pure: no I/O beyond the text given.
struct VendorCaptureScript: Sendable {
    /// The header's `format` this reads.
    static let format = "recorder-gateway-transfer-capture"

    var family: String
    /// The port the recorder was docked on when captured.
    var port: String
    /// The unlock's transfers, in the order the host made them.
    var unlock: [RecordedTransfer] = []
    /// The USB serials the two interfaces gave (the `link` lines' `usbSerial`).
    var unlockSerial: String?
    var storageSerial: String?
    /// Whether the vendor device left the bus (a `departed` line).
    var departed = false
    /// Where and as what it came back (the `arrived` line before the storage part's `link`).
    var arrival: (port: String, vendorId: UInt16, productId: UInt16)?
    /// Each command block the disk answered, by its CDB and data length, in order of arrival.
    var exchanges: [ExchangeKey: [[StorageStep]]] = [:]
    /// BOT's class requests, by their setup, the replies in order.
    var classReplies: [Setup: [[UInt8]]] = [:]

    /// One byte of a recorded transfer, or a run the capture wrote as `<password>`.
    enum Token: Equatable, Sendable {
        case byte(UInt8)
        case password
    }

    struct Setup: Hashable, Sendable {
        var requestType: UInt8
        var request: UInt8
        var value: UInt16
        var index: UInt16
    }

    /// One transfer of the unlock as the capture holds it.
    struct RecordedTransfer: Sendable {
        enum Kind: String, Sendable {
            case bulkOut = "bulk OUT", bulkIn = "bulk IN", controlOut = "control OUT", controlIn = "control IN", clearHalt = "clear-halt"
        }
        var kind: Kind
        var setup: Setup?
        /// What was sent (OUT) or received (IN), the password's runs as `.password`.
        var bytes: [Token]
        /// Its length in bytes, the password's included.
        var length: Int
        /// The text the capture gave it, when printable.
        var text: String?
        /// `ok`, or how it failed: `timeout`, `stall`, `gone`, `closed`, `error`.
        var status: String
        /// Its line in the capture (1-based), for messages.
        var line: Int
    }

    struct ExchangeKey: Hashable, Sendable {
        var cdb: [UInt8]
        var dataLength: UInt32
    }

    /// What the disk did after one command block wrapper, in order.
    enum StorageStep: Sendable {
        /// Data IN bytes (all of a data phase's transfers, each its own step).
        case dataIn([UInt8])
        /// A bulk IN transfer that failed (`status`).
        case failedIn(String)
        /// The command status wrapper, as recorded (its tag is the original's).
        case status([UInt8])
    }

    /// Reads a capture's text; `path` names it in errors.
    ///
    /// - Throws: `ScenarioError` naming the line that is wrong.
    init(text: String, path: String) throws(ScenarioError) {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard let first = lines.first, let header = Self.object(first), header["format"] as? String == Self.format,
              header["version"] as? Int == 1 else {
            throw ScenarioError(path: "\(path):1", reason: "not a \(Self.format), version 1")
        }
        guard let family = header["family"] as? String, let port = header["port"] as? String else {
            throw ScenarioError(path: "\(path):1", reason: "the header names no family or port")
        }
        self.family = family
        self.port = port
        var arrivals: [(port: String, vendorId: UInt16, productId: UInt16)] = []
        var open: (key: ExchangeKey, steps: [StorageStep])?
        for (i, raw) in lines.enumerated().dropFirst() where !raw.isEmpty {
            let at = "\(path):\(i + 1)"
            guard let line = Self.object(raw) else {
                // A capture cut mid-line (a crash, a full disk): what came before is played.
                if i == lines.count - 1 { break }
                throw ScenarioError(path: at, reason: "not a JSON object")
            }
            if let event = line["event"] as? String {
                switch event {
                case "link":
                    let serial = line["usbSerial"] as? String
                    if line["part"] as? String == "storage" {
                        storageSerial = serial
                        if let last = arrivals.last { arrival = last }
                    } else {
                        unlockSerial = serial
                    }
                case "departed":
                    departed = true
                case "arrived":
                    if let p = line["port"] as? String, let usb = line["usb"] as? String, let ids = Self.usbIds(usb) {
                        arrivals.append((p, ids.0, ids.1))
                    }
                default:
                    break
                }
                continue
            }
            guard let transfer = line["transfer"] as? String, let dir = line["dir"] as? String, let status = line["status"] as? String else {
                throw ScenarioError(path: at, reason: "neither an event nor a transfer with dir and status")
            }
            let tokens = try Self.tokens(line["hex"] as? String ?? "", at: at)
            let setup = try (line["setup"] as? [String: Any]).map { s throws(ScenarioError) in try Self.setup(s, at: at) }
            if line["part"] as? String == "unlock" {
                let kind: RecordedTransfer.Kind
                switch (transfer, dir) {
                case ("bulk", "out"): kind = .bulkOut
                case ("bulk", "in"): kind = .bulkIn
                case ("control", "out"): kind = .controlOut
                case ("control", "in"): kind = .controlIn
                case ("clear-halt", _): kind = .clearHalt
                default: throw ScenarioError(path: at, reason: "unknown transfer \(transfer) \(dir)")
                }
                if (kind == .controlIn || kind == .controlOut) && setup == nil {
                    throw ScenarioError(path: at, reason: "a control transfer without its setup")
                }
                unlock.append(RecordedTransfer(kind: kind, setup: setup, bytes: tokens, length: line["length"] as? Int ?? tokens.count,
                                               text: line["text"] as? String, status: status, line: i + 1))
                continue
            }
            // The mass-storage part.
            let bytes = tokens.compactMap { if case .byte(let b) = $0 { b } else { nil } }
            switch (transfer, dir, line["bot"] as? String) {
            case ("control", "in", _):
                if let setup, status == "ok" { classReplies[setup, default: []].append(bytes) }
            case ("bulk", "out", "CBW"):
                guard tokens.count == bytes.count else { throw ScenarioError(path: at, reason: "a CBW with <password> in it") }
                let cbw: CommandBlockWrapper
                do throws(WrapperError) {
                    cbw = try CommandBlockWrapper(parsing: bytes)
                } catch {
                    throw ScenarioError(path: at, reason: "not a CBW: \(error)")
                }
                open = (ExchangeKey(cdb: cbw.commandBlock, dataLength: cbw.dataTransferLength), [])
            case ("bulk", "in", "CSW"):
                // A status without its command (the capture began mid-command) plays nothing.
                guard let exchange = open, bytes.count == 13 else { continue }
                exchanges[exchange.key, default: []].append(exchange.steps + [.status(bytes)])
                open = nil
            case ("bulk", "in", _):
                guard open != nil else { continue }
                if status != "ok" {
                    open?.steps.append(.failedIn(status))
                } else if let b64 = line["data"] as? String {
                    guard let data = Data(base64Encoded: b64) else { throw ScenarioError(path: at, reason: "data is not base64") }
                    open?.steps.append(.dataIn([UInt8](data)))
                } else if (line["length"] as? Int ?? 0) > 0 {
                    throw ScenarioError(path: at, reason: "a data phase of \(line["length"] as? Int ?? 0) bytes held as its length only "
                                        + "(a capture written before data phases were kept): the disk cannot be played back")
                }
            default:
                // Data OUT, clear-halt, class requests OUT: the replay accepts them as they come.
                break
            }
        }
        if arrival == nil { arrival = arrivals.first }
    }

    /// The recorded bytes, or nil when the capture wrote some of them as `<password>`.
    static func plain(_ tokens: [Token]) -> [UInt8]? {
        var out: [UInt8] = []
        for t in tokens {
            guard case .byte(let b) = t else { return nil }
            out.append(b)
        }
        return out
    }

    /// Whether `bytes` are what the capture holds in `tokens`: equal byte for byte outside the
    /// runs written `<password>`, each of which stands for one or more bytes, whatever they are.
    static func matches(_ tokens: [Token], _ bytes: [UInt8]) -> Bool {
        // reach[b]: the tokens so far can stand for bytes[0..<b]. One pass over the bytes per
        // token, so tokens × bytes steps however many runs there are (trying each run's length in
        // turn, as this did, is exponential in the runs of a hand-made capture).
        var reach = [Bool](repeating: false, count: bytes.count + 1)
        reach[0] = true
        for token in tokens {
            var next = [Bool](repeating: false, count: bytes.count + 1)
            switch token {
            case .byte(let v):
                for b in bytes.indices where reach[b] && bytes[b] == v { next[b + 1] = true }
            case .password:
                // One byte or more, from any place reached so far.
                var reached = false
                for b in bytes.indices {
                    reached = reached || reach[b]
                    next[b + 1] = reached
                }
            }
            reach = next
        }
        return reach[bytes.count]
    }

    private static func object(_ line: Substring) -> [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
    }

    private static func tokens(_ hex: String, at: String) throws(ScenarioError) -> [Token] {
        var out: [Token] = []
        for word in hex.split(separator: " ") {
            if word == "<password>" {
                out.append(.password)
            } else if word.count == 2, let b = UInt8(word, radix: 16) {
                out.append(.byte(b))
            } else {
                throw ScenarioError(path: at, reason: "hex holds \"\(word.prefix(12))\"")
            }
        }
        return out
    }

    private static func setup(_ s: [String: Any], at: String) throws(ScenarioError) -> Setup {
        func hex(_ k: String) -> UInt64? { (s[k] as? String).flatMap { UInt64($0, radix: 16) } }
        guard let t = hex("bmRequestType"), let r = hex("bRequest"), let v = hex("wValue"), let i = hex("wIndex"),
              t <= 0xFF, r <= 0xFF, v <= 0xFFFF, i <= 0xFFFF else {
            throw ScenarioError(path: at, reason: "a setup without bmRequestType, bRequest, wValue and wIndex in hex")
        }
        return Setup(requestType: UInt8(t), request: UInt8(r), value: UInt16(v), index: UInt16(i))
    }

    private static func usbIds(_ s: String) -> (UInt16, UInt16)? {
        let parts = s.split(separator: ":")
        guard parts.count == 2, let v = UInt16(parts[0], radix: 16), let p = UInt16(parts[1], radix: 16) else { return nil }
        return (v, p)
    }
}
