import Foundation
import GatewayCrypto
import RecorderHAL
import RecorderProtocol

/// What a scenario's recorders hold, computed from the scenario alone (not through the
/// protocol): the expected result a gateway's ingest is checked against.
public struct ScenarioDescription: Sendable {
    public struct File: Sendable {
        public var id: UInt32
        public var kind: RecorderProtocol.RecordingKind
        public var path: [UInt8]
        /// Bytes the device actually serves.
        public var size: UInt64
        /// Size the catalog claims (differs under a `sizeLies` fault).
        public var reportedSize: UInt64
        /// SHA-256 of the bytes the device actually serves (storage faults applied).
        public var sha256: [UInt8]
        /// The hash the catalog claims, if the device keeps hashes.
        public var deviceSHA256: [UInt8]?
        public var sequence: UInt32
        public var important: Bool
        public var startMilliseconds: Int64
        public var endMilliseconds: Int64
    }

    public struct Recorder: Sendable {
        public var identity: RecorderIdentity
        public var port: String
        public var vendorId: UInt16
        public var productId: UInt16
        public var link: LinkModel
        public var files: [File]
        public var faults: [Fault]
        /// A mass-storage recorder's storage (its files are on the image: `files` is empty).
        public var storage: MassStorageScenario?
        /// A vendor recorder's family, device id, storage ids and faults (never its password).
        public var vendor: VendorScenario? = nil

        /// Bytes of every file as served, `UInt64.max` when they add up past it (each file's
        /// size may be up to 2^64 − 1).
        public var totalBytes: UInt64 { files.map(\.size).saturatingSum() }
    }

    public var recorders: [Recorder]

    /// Hashes every file of `scenario` (at SHA-256 speed: a few seconds per GB).
    public init(_ scenario: Scenario) {
        recorders = scenario.recorders.enumerated().map { index, r in
            let files = r.recordings.map { rec -> File in
                let storage = r.faults.compactMap { f -> UInt64? in
                    if case .corrupt(rec.id, let at, false, _) = f, at < rec.size { return at }
                    return nil
                }
                let served = SimulatedRecorder.sha256(of: rec, corruptions: storage)
                let original = storage.isEmpty ? served : SimulatedRecorder.sha256(of: rec, corruptions: [])
                var claimed: [UInt8]? = r.deviceHashes ? original : nil
                var reported = rec.size
                for f in r.faults {
                    if case .wrongDeviceHash(rec.id) = f { claimed = claimed.map { var h = $0; h[0] ^= 0xFF; return h } }
                    if case .sizeLies(rec.id, let s) = f { reported = s }
                }
                return File(id: rec.id, kind: rec.kind, path: rec.path, size: rec.size, reportedSize: reported,
                            sha256: served, deviceSHA256: claimed, sequence: rec.sequence, important: rec.important,
                            startMilliseconds: rec.startMilliseconds, endMilliseconds: rec.endMilliseconds)
            }
            return Recorder(identity: r.identity, port: r.port ?? "sim-\(index + 1)", vendorId: r.vendorId,
                            productId: r.productId, link: r.link, files: files, faults: r.faults, storage: r.storage,
                            vendor: r.vendor)
        }
    }

    /// The description as JSON (sorted keys, stable across runs).
    public func json() -> Data {
        let list: [[String: Any]] = recorders.map { r in
            var link: [String: Any] = ["packetSize": r.link.packetSize,
                                       "latencyMicroseconds": Int(r.link.latency.components.attoseconds / 1_000_000_000_000 + r.link.latency.components.seconds * 1_000_000)]
            link["bytesPerSecond"] = r.link.bytesPerSecond.map { Int($0) as Any } ?? "unlimited"
            var recorder: [String: Any] = [
                "identity": [
                    "serial": r.identity.serial, "model": r.identity.model, "firmware": r.identity.firmware,
                    "officerNumber": r.identity.officerNumber, "officerName": r.identity.officerName,
                    "unitNumber": r.identity.unitNumber, "unitName": r.identity.unitName,
                    "hardwareId": r.identity.hardwareId,
                ],
                "port": r.port,
                "usb": ["vendorId": hex4(r.vendorId), "productId": hex4(r.productId)],
                "link": link,
                "faults": r.faults.map { String(describing: $0) },
                "files": r.files.map { f -> [String: Any] in
                    var o: [String: Any] = [
                        "id": Int(f.id), "kind": f.kind.description, "path": String(decoding: f.path, as: UTF8.self),
                        "size": f.size, "sha256": hexString(f.sha256), "sequence": Int(f.sequence),
                        "important": f.important,
                        "start": formatLocalISO8601(milliseconds: f.startMilliseconds, zoneOffsetMinutes: 0),
                        "end": formatLocalISO8601(milliseconds: f.endMilliseconds, zoneOffsetMinutes: 0),
                    ]
                    if f.reportedSize != f.size { o["reportedSize"] = f.reportedSize }
                    o["deviceSha256"] = f.deviceSHA256.map { hexString($0) as Any } ?? NSNull()
                    return o
                },
            ]
            if let s = r.storage {
                recorder["storage"] = [
                    "image": s.imagePath, "blockSize": s.blockSize, "writeProtected": s.writeProtected,
                    "inquiry": ["vendor": s.vendor, "product": s.product, "revision": s.revision],
                    "faults": s.faults.map { String(describing: $0) },
                ] as [String: Any]
            }
            if let v = r.vendor {
                var vendor: [String: Any] = [
                    "family": v.family.rawValue, "deviceId": v.deviceId, "usbSerial": v.usbSerial.rawValue,
                    "storageUsb": ["vendorId": hex4(v.storageVendorId), "productId": hex4(v.storageProductId)],
                    "faults": v.faults.map { String(describing: $0) },
                ]
                // How long a lock lasts: absent, for good.
                if let seconds = v.lockoutSeconds { vendor["lockoutSeconds"] = seconds }
                recorder["vendor"] = vendor
            }
            return recorder
        }
        let data = try? JSONSerialization.data(withJSONObject: ["recorders": list],
                                               options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        return data ?? Data("{}".utf8)
    }
}

func hex4(_ v: UInt16) -> String {
    let s = String(v, radix: 16)
    return String(repeating: "0", count: 4 - s.count) + s
}
