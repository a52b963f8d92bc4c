@testable import Control
import Foundation
import Testing

/// The Codable messages write the bytes the dictionaries did (JSONSerialization, sorted keys,
/// unescaped slashes in replies): clients written against Docs/control-api.md see no change.
@Suite struct WireFormatTests {
    /// A reply line as the service wrote it before the message types.
    static func dictionaryLine(id: Int, result: Any) -> String {
        let object: [String: Any] = ["v": 1, "id": id, "ok": true, "result": result]
        let data = try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    static func line(id: Int, _ result: some Encodable) -> String {
        String(decoding: ControlReplyLine.success(id: id, result: result), as: UTF8.self)
    }

    static let busy = BayStatus(bay: "1-1.3", serial: "A100003", officer: "010003", state: "ingesting", bytesDone: 123_456_789,
                                bytesTotal: 18_446_744_073_709_551_615, percent: 52, mbps: 40.1, battery: 80,
                                storageFree: 64_000_000_000, clockOffsetMs: -47_000.3, bag: "kiosk_A100003_20261206T002300Z",
                                bags: ["kiosk_A100003_20261206T002300Z_v1"], note: "Zürich \"bay\" / ünïcode — \u{1}", started: "2026-12-06T00:23:00Z")
    static var busyObject: [String: Any] {
        [
            "bay": "1-1.3", "serial": "A100003", "officer": "010003", "state": "ingesting", "bytesDone": UInt64(123_456_789),
            "bytesTotal": UInt64(18_446_744_073_709_551_615), "percent": 52, "mbps": 40.1, "battery": 80,
            "storageFree": UInt64(64_000_000_000), "clockOffsetMs": -47_000.3, "bag": "kiosk_A100003_20261206T002300Z",
            "bags": ["kiosk_A100003_20261206T002300Z_v1"], "note": "Zürich \"bay\" / ünïcode — \u{1}", "started": "2026-12-06T00:23:00Z",
        ]
    }
    static let fresh = BayStatus(bay: "sim-1", serial: nil, officer: nil, state: "identifying", bytesDone: 0, bytesTotal: 0,
                                 percent: 0, mbps: 0, battery: nil, storageFree: nil, clockOffsetMs: nil, bag: nil,
                                 note: "", started: "2026-12-06T00:23:00Z")
    static var freshObject: [String: Any] {
        [
            "bay": "sim-1", "serial": NSNull(), "officer": NSNull(), "state": "identifying", "bytesDone": UInt64(0),
            "bytesTotal": UInt64(0), "percent": 0, "mbps": 0.0, "battery": NSNull(), "storageFree": NSNull(),
            "clockOffsetMs": NSNull(), "bag": NSNull(), "bags": [String](), "note": "", "started": "2026-12-06T00:23:00Z",
        ]
    }

    @Test(arguments: [0.0, 0.1, 1.5, 40.1, 100.0, 123.4, 2500.3, -0.5, 1e-3, 99999.9, 1e15])
    func numbersAreWrittenAsBefore(mbps: Double) {
        var bay = Self.busy
        bay.mbps = mbps
        bay.clockOffsetMs = (mbps * 10).rounded() / 10
        var object = Self.busyObject
        object["mbps"] = mbps
        object["clockOffsetMs"] = (mbps * 10).rounded() / 10
        #expect(Self.line(id: 7, DevicesResult(bays: [bay])) == Self.dictionaryLine(id: 7, result: ["bays": [object]]))
    }

    @Test func baysWithAndWithoutValues() {
        #expect(Self.line(id: 1, DevicesResult(bays: [Self.busy, Self.fresh]))
                == Self.dictionaryLine(id: 1, result: ["bays": [Self.busyObject, Self.freshObject]]))
        #expect(Self.line(id: 2, DevicesResult(bays: [])) == Self.dictionaryLine(id: 2, result: ["bays": [Any]()]))
    }

    @Test func everyOtherResult() {
        #expect(Self.line(id: 1, PingResult(service: "recorder-gatewayd", protocolVersion: 1))
                == Self.dictionaryLine(id: 1, result: ["service": "recorder-gatewayd", "protocol": 1]))
        let info = InfoResult(serial: "A100003", bay: Self.fresh,
                              sessions: [.init(bag: "b1", bay: "1-1.3", started: "s", ended: nil, state: "open"),
                                         .init(bag: "b0", bay: "1-1.2", started: "s0", ended: "e0", state: "sealed")],
                              recordings: .init(ingested: 6, quarantined: 1, released: 0))
        #expect(Self.line(id: 3, info) == Self.dictionaryLine(id: 3, result: [
            "serial": "A100003", "bay": Self.freshObject,
            "sessions": [["bag": "b1", "bay": "1-1.3", "started": "s", "ended": NSNull(), "state": "open"],
                         ["bag": "b0", "bay": "1-1.2", "started": "s0", "ended": "e0", "state": "sealed"]],
            "recordings": ["ingested": 6, "quarantined": 1, "released": 0],
        ]))
        #expect(Self.line(id: 4, InfoResult(serial: nil, bay: nil, sessions: [], recordings: .init(ingested: 0, quarantined: 0, released: 0)))
                == Self.dictionaryLine(id: 4, result: ["serial": NSNull(), "sessions": [Any](),
                                                       "recordings": ["ingested": 0, "quarantined": 0, "released": 0]]))
        let files = FilesResult(serial: nil, files: [.init(recordingId: 4_294_967_295, size: 18_446_744_073_709_551_615, sha256: "ab",
                                                           bag: "b/1", state: "verified", ingested: "i", released: nil)])
        #expect(Self.line(id: 5, files) == Self.dictionaryLine(id: 5, result: [
            "serial": NSNull(), "files": [["recordingId": 4_294_967_295, "size": UInt64(18_446_744_073_709_551_615), "sha256": "ab",
                                           "bag": "b/1", "state": "verified", "ingested": "i", "released": NSNull()]],
        ]))
        let diagnose = DiagnoseResult(bay: "1-1.2", serial: nil, checks: [.init(name: "clock", result: "WARN", detail: "+3.1 s/day", hint: "")])
        #expect(Self.line(id: 6, diagnose) == Self.dictionaryLine(id: 6, result: [
            "bay": "1-1.2", "serial": NSNull(), "checks": [["name": "clock", "result": "WARN", "detail": "+3.1 s/day", "hint": ""]],
        ]))
        #expect(Self.line(id: 7, CaptureResult(bay: "1-1.2", path: "/tmp/x.capture", armed: true))
                == Self.dictionaryLine(id: 7, result: ["bay": "1-1.2", "path": "/tmp/x.capture", "armed": true]))
        #expect(Self.line(id: 8, RetryResult(bag: "b1", requeued: 3)) == Self.dictionaryLine(id: 8, result: ["bag": "b1", "requeued": 3]))
        #expect(Self.line(id: 9, FrontResult(bag: "b1", moved: true, position: 1))
                == Self.dictionaryLine(id: 9, result: ["bag": "b1", "moved": true, "position": 1]))
        #expect(Self.line(id: 10, FrontResult(bag: "b1", moved: false, position: nil))
                == Self.dictionaryLine(id: 10, result: ["bag": "b1", "moved": false, "position": NSNull()]))
    }

    @Test func theQueueWithAndWithoutAStore() {
        #expect(Self.line(id: 1, QueueResult(forwarding: false, store: nil, bags: []))
                == Self.dictionaryLine(id: 1, result: ["forwarding": false, "bags": [Any]()]))
        let bags = [QueueResult.Bag(bag: "b1", objects: 9, verified: 7, pending: 1, failed: 1, bytes: 1 << 40, lastError: "HTTP 500",
                                    position: 1, order: "important"),
                    QueueResult.Bag(bag: "b2", objects: 1, verified: 1, pending: 0, failed: 0, bytes: 0, lastError: nil)]
        let bagObjects: [[String: Any]] = [
            ["bag": "b1", "objects": 9, "verified": 7, "pending": 1, "failed": 1, "bytes": UInt64(1 << 40), "lastError": "HTTP 500",
             "position": 1, "order": "important"],
            ["bag": "b2", "objects": 1, "verified": 1, "pending": 0, "failed": 0, "bytes": UInt64(0), "lastError": NSNull(),
             "position": NSNull(), "order": NSNull()],
        ]
        for problem in [nil, "bucket has no Object Lock"] as [String?] {
            let q = QueueResult(forwarding: true, store: .init(bucket: "evidence", prefix: "kiosk/03", endpoint: "https://s3.example.org",
                                                               lastProblem: problem, rateLimit: problem == nil ? nil : 2 << 20,
                                                               hours: problem == nil ? nil : "22:00-06:00",
                                                               resumes: problem == nil ? nil : "2026-12-06T22:00:00+08:00"), bags: bags)
            #expect(Self.line(id: 2, q) == Self.dictionaryLine(id: 2, result: [
                "forwarding": true, "bucket": "evidence", "prefix": "kiosk/03", "endpoint": "https://s3.example.org",
                "lastProblem": problem.map { $0 as Any } ?? NSNull(), "bags": bagObjects,
                "rateLimit": problem == nil ? NSNull() : 2 << 20 as Any,
                "hours": problem == nil ? NSNull() : "22:00-06:00" as Any,
                "resumes": problem == nil ? NSNull() : "2026-12-06T22:00:00+08:00" as Any,
            ]))
            // recorderctl reads back what it was sent.
            let back = try? ControlClient.result(of: Data(Self.line(id: 2, q).utf8), as: QueueResult.self)
            #expect(back == q)
        }
    }

    @Test func refusalsAndRequests() {
        let refusal = String(decoding: ControlReplyLine.failure(id: 9, ControlError(code: "not-found", message: "no bay 9-9.9 / x")), as: UTF8.self)
        let old = try! JSONSerialization.data(withJSONObject: ["v": 1, "id": 9, "ok": false,
                                                               "error": ["code": "not-found", "message": "no bay 9-9.9 / x"]] as [String: Any],
                                              options: [.sortedKeys, .withoutEscapingSlashes])
        #expect(refusal == String(decoding: old, as: UTF8.self) + "\n")
        let request = ControlRequest(id: 3, command: "capture", args: ["target": "1-1.2", "path": "/tmp/a b.capture"])
        let oldRequest = try! JSONSerialization.data(withJSONObject: ["v": 1, "id": 3, "command": "capture", "args": request.args] as [String: Any],
                                                     options: [.sortedKeys])
        #expect(request.line() == oldRequest + Data("\n".utf8))
        #expect(throws: ControlError.self) { _ = try ControlClient.result(of: Data(refusal.utf8), as: RetryResult.self) }
    }

    @Test func aBayReadsBackAsItWasSent() throws {
        for bay in [Self.busy, Self.fresh] {
            let back = try ControlClient.result(of: Data(Self.line(id: 1, DevicesResult(bays: [bay])).utf8), as: DevicesResult.self)
            #expect(back.bays == [bay])
        }
    }
}
