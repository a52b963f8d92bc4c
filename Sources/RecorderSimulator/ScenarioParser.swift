import Foundation
import RecorderHAL
import RecorderProtocol

extension Scenario {
    /// Parses a scenario file (Docs/simulator.md has the schema). Relative paths in it (a
    /// mass-storage recorder's image) are taken from `directory`, by default the current one.
    ///
    /// - Throws: `ScenarioError` naming the JSON path of the first wrong field.
    public init(json data: Data, relativeTo directory: String? = nil) throws(ScenarioError) {
        let directory = directory ?? FileManager.default.currentDirectoryPath
        let top = try JSONWalker.parse(data)
        try top.allowKeys(["schema", "comment", "recorders"])
        guard try top.integer("schema", in: 1...1) == 1 else {
            throw ScenarioError(path: "schema", reason: "is required and must be 1")
        }
        guard let list = try top.array("recorders"), !list.isEmpty else {
            throw ScenarioError(path: "recorders", reason: "must be a non-empty array")
        }
        var recorders: [RecorderScenario] = []
        for (i, item) in list.enumerated() {
            recorders.append(try Scenario.recorder(try JSONWalker(item, path: "recorders[\(i)]"), directory: directory))
        }
        var serials = Set<String>()
        for (i, r) in recorders.enumerated() where !serials.insert(r.identity.serial).inserted {
            throw ScenarioError(path: "recorders[\(i)].identity.serial", reason: "\"\(r.identity.serial)\" is used by an earlier recorder")
        }
        var ports = Set<String>()
        for (i, r) in recorders.enumerated() {
            if let p = r.port, !ports.insert(p).inserted {
                throw ScenarioError(path: "recorders[\(i)].port", reason: "\"\(p)\" is used by an earlier recorder")
            }
        }
        self.init(recorders: recorders)
    }

    /// Reads a scenario file from disk.
    public init(contentsOf path: String) throws(ScenarioError) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ScenarioError(path: "", reason: "cannot read scenario file \(path)")
        }
        do {
            try self.init(json: data, relativeTo: URL(fileURLWithPath: path).deletingLastPathComponent().path)
        } catch {
            throw ScenarioError(path: error.path, reason: error.reason + " (in \(path))")
        }
    }

    private static func recorder(_ w: JSONWalker, directory: String) throws(ScenarioError) -> RecorderScenario {
        try w.allowKeys(["comment", "identity", "password", "port", "usb", "lockout", "clock", "status", "link",
                         "maxPayload", "maxInFlight", "deviceHashes", "recordings", "faults", "storage", "family", "vendor"])
        // A mass-storage recorder serves an image: it has no password (until its family's
        // vendor unlock), and its files and faults are the storage's.
        var storage: MassStorageScenario?
        if let s = try w.object("storage") { storage = try Scenario.storage(s, directory: directory) }
        if storage != nil {
            if let recs = try w.array("recordings"), !recs.isEmpty {
                throw ScenarioError(path: w.at("recordings"), reason: "must be absent for a mass-storage recorder: its files are those of storage.image")
            }
            if let faults = try w.array("faults"), !faults.isEmpty {
                throw ScenarioError(path: w.at("faults"), reason: "must be absent for a mass-storage recorder: its faults go in storage.faults")
            }
        }
        guard let idw = try w.object("identity") else { throw ScenarioError(path: w.at("identity"), reason: "is required") }
        let identity = try Scenario.identity(idw)
        let vendor = try Scenario.vendor(w, identity: identity, hasStorage: storage != nil)
        let password = storage == nil || vendor != nil ? try w.string("password") : try w.optionalString("password") ?? ""
        if vendor != nil { try Scenario.checkVendorPassword(password, field: w.at("password")) }
        var r = RecorderScenario(identity: identity, password: password, recordings: [])
        r.port = try w.optionalString("port")
        if let p = r.port, p.isEmpty || !p.unicodeScalars.allSatisfy({ ("0"..."9").contains($0) || $0 == "-" || $0 == "." }) {
            throw ScenarioError(path: w.at("port"), reason: "\"\(p)\" is not a USB port path like \"1-1.3\"")
        }
        if storage != nil { r.productId = RecorderScenario.massStorageProductId }
        if vendor != nil {
            r.vendorId = VendorScenario.vendorId
            r.productId = VendorScenario.productId
        }
        r.vendor = vendor
        if let usb = try w.object("usb") {
            try usb.allowKeys(["vendorId", "productId"])
            func id(_ key: String) throws(ScenarioError) -> UInt16? {
                guard let s = try usb.optionalString(key) else { return nil }
                guard s.count == 4, let v = UInt16(s, radix: 16) else {
                    throw ScenarioError(path: usb.at(key), reason: "must be four hex digits, like \"1209\"")
                }
                return v
            }
            r.vendorId = try id("vendorId") ?? r.vendorId
            r.productId = try id("productId") ?? r.productId
        }
        if let l = try w.object("lockout") {
            try l.allowKeys(["attempts", "seconds"])
            r.lockoutAttempts = Int(try l.integer("attempts", in: 1...100) ?? 5)
            let seconds = try l.integer("seconds", in: 0...86400)
            r.lockoutSeconds = Int(seconds ?? 300)
            // A vendor device's lock lasts for good unless the scenario says how long.
            r.vendor?.lockoutSeconds = seconds.map { Int($0) }
        }
        if let c = try w.object("clock") {
            try c.allowKeys(["offsetSeconds", "driftSecondsPerDay", "zoneOffsetMinutes", "refuseSet"])
            r.clock.offsetSeconds = try c.number("offsetSeconds") ?? 0
            if abs(r.clock.offsetSeconds) > Double(ClockScenario.maximumOffsetSeconds) {
                throw ScenarioError(path: c.at("offsetSeconds"),
                                    reason: "must be within ±\(ClockScenario.maximumOffsetSeconds) seconds (200 years)")
            }
            r.clock.driftSecondsPerDay = try c.number("driftSecondsPerDay") ?? 0
            if abs(r.clock.driftSecondsPerDay) > 86400 {
                throw ScenarioError(path: c.at("driftSecondsPerDay"), reason: "must be within ±86400")
            }
            r.clock.zoneOffsetMinutes = Int(try c.integer("zoneOffsetMinutes", in: -840...840) ?? 480)
            r.clock.refuseSet = try c.bool("refuseSet", default: false)
        }
        if let s = try w.object("status") {
            try s.allowKeys(["batteryPercent", "charging", "recording", "storageTotal", "reportedStorageTotal", "temperatureCelsius"])
            if s.has("batteryPercent") { r.status.batteryPercent = Int(try s.integer("batteryPercent", in: 0...100)!) }
            r.status.charging = try s.bool("charging", default: true)
            r.status.recording = try s.bool("recording", default: false)
            r.status.storageTotalBytes = try s.size("storageTotal") ?? r.status.storageTotalBytes
            r.status.reportedStorageTotalBytes = try s.size("reportedStorageTotal")
            if let t = try s.number("temperatureCelsius") {
                guard (-60...150).contains(t) else { throw ScenarioError(path: s.at("temperatureCelsius"), reason: "must be within -60...150") }
                r.status.temperatureCelsius = t
            }
        }
        r.link = try Scenario.link(w)
        r.maxPayload = Int(try w.integer("maxPayload", in: Int64(FrameHeader.initialMaximumPayload)...Int64(FrameHeader.protocolMaximumPayload)) ?? Int64(r.maxPayload))
        r.maxInFlight = Int(try w.integer("maxInFlight", in: 1...256) ?? 8)
        r.deviceHashes = try w.bool("deviceHashes", default: true)
        // The serial is the device's USB iSerialNumber, as the umockdev harness presents it too.
        storage?.serialNumber = vendor?.usbSerial == VendorScenario.USBSerialPresence.none ? nil : identity.serial
        r.storage = storage
        guard let recs = try w.array("recordings") ?? (storage != nil ? [] : nil) else { throw ScenarioError(path: w.at("recordings"), reason: "is required (an array, may be empty)") }
        var ids = Set<UInt32>()
        for (i, item) in recs.enumerated() {
            let rec = try Scenario.recording(try JSONWalker(item, path: w.at("recordings[\(i)]")), index: i,
                                             serial: identity.serial, zone: r.clock.zoneOffsetMinutes,
                                             clockOffset: r.clock.offsetSeconds)
            if 6 + 68 + rec.path.count > r.maxPayload {
                throw ScenarioError(path: w.at("recordings[\(i)].path"),
                                    reason: "is \(rec.path.count) bytes; its catalog entry would not fit maxPayload \(r.maxPayload)")
            }
            if !ids.insert(rec.id).inserted {
                throw ScenarioError(path: w.at("recordings[\(i)].id"), reason: "\(rec.id) is used by an earlier recording")
            }
            r.recordings.append(rec)
        }
        if let faults = try w.array("faults") {
            for (i, item) in faults.enumerated() {
                r.faults.append(try Scenario.fault(try JSONWalker(item, path: w.at("faults[\(i)]")), ids: ids))
            }
        }
        return r
    }

    private static func identity(_ w: JSONWalker) throws(ScenarioError) -> RecorderIdentity {
        try w.allowKeys(["serial", "model", "firmware", "officerNumber", "officerName", "unitNumber", "unitName", "hardwareId"])
        let id = RecorderIdentity(serial: try w.string("serial"), model: try w.optionalString("model") ?? "DSJ-SIM1",
                                  firmware: try w.optionalString("firmware") ?? "1.0.0",
                                  officerNumber: try w.optionalString("officerNumber") ?? "",
                                  officerName: try w.optionalString("officerName") ?? "",
                                  unitNumber: try w.optionalString("unitNumber") ?? "",
                                  unitName: try w.optionalString("unitName") ?? "",
                                  hardwareId: try w.optionalString("hardwareId") ?? "")
        if let p = IdentityReply.codeProblem(id.serial, length: 7, allowEmpty: false) { throw ScenarioError(path: w.at("serial"), reason: p) }
        if let p = IdentityReply.codeProblem(id.officerNumber, length: 6, allowEmpty: true) { throw ScenarioError(path: w.at("officerNumber"), reason: p) }
        if let p = IdentityReply.codeProblem(id.unitNumber, length: 12, allowEmpty: true) { throw ScenarioError(path: w.at("unitNumber"), reason: p) }
        for (key, value, limit) in [("model", id.model, 32), ("firmware", id.firmware, 32), ("officerName", id.officerName, 64),
                                    ("unitName", id.unitName, 128), ("hardwareId", id.hardwareId, 64)]
        where value.utf8.count > limit || value.utf8.contains(0) {
            throw ScenarioError(path: w.at(key), reason: "must be at most \(limit) bytes of UTF-8 without NUL")
        }
        return id
    }

    private static func link(_ w: JSONWalker) throws(ScenarioError) -> LinkModel {
        guard w.has("link") else { return .usb2HighSpeed }
        if let name = w.stringValue("link") {
            switch name {
            case "usb2": return .usb2HighSpeed
            case "usb3": return .usb3SuperSpeed
            case "unlimited": return .unlimited
            default: throw ScenarioError(path: w.at("link"), reason: "\"\(name)\" is not a link (usb2, usb3, unlimited, or an object)")
            }
        }
        let l = try JSONWalker(w.object["link"]!, path: w.at("link"))
        try l.allowKeys(["bytesPerSecond", "latencyMicroseconds", "packetSize"])
        var model = LinkModel.usb2HighSpeed
        if l.stringValue("bytesPerSecond") == "unlimited" {
            model.bytesPerSecond = nil
        } else if let rate = try l.number("bytesPerSecond") {
            // Above 10^12 B/s (no bus comes near) a rate is still a Double for the link model, but
            // describe prints it as a whole number, and 1e300 has none.
            guard (1000...1e12).contains(rate) else {
                throw ScenarioError(path: l.at("bytesPerSecond"), reason: "must be a number within 1000...1000000000000, or \"unlimited\"")
            }
            model.bytesPerSecond = rate
        }
        if let us = try l.integer("latencyMicroseconds", in: 0...10_000_000) { model.latency = .microseconds(us) }
        if let p = try l.integer("packetSize", in: 8...65536) { model.packetSize = Int(p) }
        return model
    }

    private static func recording(_ w: JSONWalker, index: Int, serial: String, zone: Int, clockOffset: Double) throws(ScenarioError) -> SimulatedRecording {
        try w.allowKeys(["comment", "id", "kind", "path", "size", "seed", "text", "gps", "events", "start",
                         "durationSeconds", "sequence", "important"])
        let kindName = try w.string("kind")
        guard let kind = RecordingKind(name: kindName) else {
            throw ScenarioError(path: w.at("kind"), reason: "\"\(kindName)\" is not a kind (\(RecordingKind.named.map(\.1).joined(separator: ", ")))")
        }
        let id = UInt32(try w.integer("id", in: 1...Int64(UInt32.max)) ?? Int64(index + 1))
        let path = try Scenario.path(w)
        var start = try w.time("start") ?? 1_795_622_400_000 // 2026-11-26T00:00:00+08:00 on the device clock
        var duration = try w.number("durationSeconds")
        let sources = ["size", "text", "gps", "events"].filter { w.has($0) }
        guard sources.count == 1 else {
            throw ScenarioError(path: w.path, reason: "needs exactly one of size, text, gps, events (has \(sources.isEmpty ? "none" : sources.joined(separator: ", ")))")
        }
        let content: SimulatedRecording.Content
        if let size = try w.size("size") {
            let seed = try w.integer("seed", in: 0...Int64.max).map { UInt64($0) } ?? defaultSeed(serial: serial, id: id)
            content = .generated(seed: seed, size: size)
            // At 8 Mbit/s, but no longer than a recording may last: a size is anything up to
            // 2^64 − 1, and a valid size must not make the default duration invalid.
            if duration == nil && (kind == .video || kind == .audio) {
                duration = min(Double(size) * 8 / 8_000_000, SimulatedRecording.maximumDurationSeconds)
            }
        } else if let text = try w.optionalString("text") {
            content = .bytes(Array(text.utf8))
        } else if let g = try w.object("gps") {
            try g.allowKeys(["start", "seconds", "lat", "lon", "talker", "speedMps", "courseDeg", "altitude"])
            let seconds = Int(try g.integer("seconds", in: 0...7 * 86400) ?? 600)
            guard let lat = try g.number("lat"), (-90...90).contains(lat) else { throw ScenarioError(path: g.at("lat"), reason: "is required, -90...90") }
            guard let lon = try g.number("lon"), (-180...180).contains(lon) else { throw ScenarioError(path: g.at("lon"), reason: "is required, -180...180") }
            let talker = try g.optionalString("talker") ?? "GN"
            guard ["GP", "GN", "GL", "GA", "BD", "GB"].contains(talker) else {
                throw ScenarioError(path: g.at("talker"), reason: "\"\(talker)\" is not one of GP, GN, GL, GA, BD, GB")
            }
            // GNSS time is true UTC; the catalog shows the device clock.
            let gnssStart = try g.time("start") ?? (start - Int64(clockOffset * 1000))
            start = gnssStart + Int64(clockOffset * 1000)
            duration = duration ?? Double(seconds)
            content = .bytes(LogContent.nmea(LogContent.Track(
                startMilliseconds: gnssStart, seconds: seconds, latitude: lat, longitude: lon, talker: talker,
                speedMetresPerSecond: try g.number("speedMps") ?? 1.4, courseDegrees: try g.number("courseDeg") ?? 90,
                altitudeMetres: try g.number("altitude") ?? 45)))
        } else {
            let list = try w.array("events") ?? []
            var events: [LogContent.Event] = []
            for (i, item) in list.enumerated() {
                let e = try JSONWalker(item, path: w.at("events[\(i)]"))
                try e.allowKeys(["at", "type", "detail"])
                guard let at = try e.time("at") else { throw ScenarioError(path: e.at("at"), reason: "is required") }
                let type = try e.string("type")
                guard !type.isEmpty, type.unicodeScalars.allSatisfy({ ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "_" }) else {
                    throw ScenarioError(path: e.at("type"), reason: "\"\(type)\" must be upper-case letters, digits and _")
                }
                let detail = try e.optionalString("detail") ?? ""
                if detail.unicodeScalars.contains(where: { $0 == "\n" || $0 == "\r" || $0 == "\0" }) {
                    throw ScenarioError(path: e.at("detail"), reason: "must be one line without CR, LF or NUL")
                }
                events.append(LogContent.Event(atMilliseconds: at, type: type, detail: detail))
            }
            if let first = events.first, !w.has("start") { start = first.atMilliseconds }
            if duration == nil, let first = events.first, let last = events.last {
                duration = Double(last.atMilliseconds - first.atMilliseconds) / 1000
            }
            content = .bytes(LogContent.eventLog(events, zoneOffsetMinutes: zone))
        }
        if w.has("seed") && !w.has("size") {
            throw ScenarioError(path: w.at("seed"), reason: "applies only to generated content (with size)")
        }
        let d = duration ?? 0
        guard d >= 0 && d <= SimulatedRecording.maximumDurationSeconds else {
            throw ScenarioError(path: w.has("durationSeconds") ? w.at("durationSeconds") : w.at("events"),
                                reason: w.has("durationSeconds") ? "must be within 0...\(Int(SimulatedRecording.maximumDurationSeconds))"
                                    : "must be in time order (the last event is before the first)")
        }
        return SimulatedRecording(id: id, kind: kind, path: path, content: content,
                                  sequence: UInt32(try w.integer("sequence", in: 0...Int64(UInt32.max)) ?? Int64(index + 1)),
                                  important: try w.bool("important", default: false),
                                  startMilliseconds: start, endMilliseconds: start + Int64((d * 1000).rounded()))
    }

    /// A path is a string (any bytes JSON can carry, NUL included), or
    /// `{"repeat": "A", "times": 10000, "prefix": "", "suffix": ".MP4"}` for very long names.
    private static func path(_ w: JSONWalker) throws(ScenarioError) -> [UInt8] {
        if let s = w.stringValue("path") {
            guard !s.isEmpty, s.utf8.count <= Int(UInt16.max) else {
                throw ScenarioError(path: w.at("path"), reason: "must be 1...65535 bytes")
            }
            return Array(s.utf8)
        }
        guard let p = try w.object("path") else { throw ScenarioError(path: w.at("path"), reason: "is required") }
        try p.allowKeys(["repeat", "times", "prefix", "suffix"])
        let unit = try p.string("repeat")
        let times = Int(try p.integer("times", in: 1...65535) ?? 1)
        let bytes = Array(((try p.optionalString("prefix") ?? "") + String(repeating: unit, count: times) + (try p.optionalString("suffix") ?? "")).utf8)
        guard !bytes.isEmpty, bytes.count <= Int(UInt16.max) else {
            throw ScenarioError(path: w.at("path"), reason: "must come to 1...65535 bytes (is \(bytes.count))")
        }
        return bytes
    }

    private static func fault(_ w: JSONWalker, ids: Set<UInt32>) throws(ScenarioError) -> Fault {
        let kind = try w.string("kind")
        func recording() throws(ScenarioError) -> UInt32 {
            guard let id = try w.integer("recording", in: 1...Int64(UInt32.max)) else {
                throw ScenarioError(path: w.at("recording"), reason: "is required (a recording id)")
            }
            guard ids.contains(UInt32(id)) else { throw ScenarioError(path: w.at("recording"), reason: "\(id) is not a recording of this recorder") }
            return UInt32(id)
        }
        func required(_ key: String) throws(ScenarioError) -> UInt64 {
            guard let v = try w.size(key) else { throw ScenarioError(path: w.at(key), reason: "is required") }
            return v
        }
        switch kind {
        case "disconnect":
            try w.allowKeys(["kind", "afterBytes"])
            return .disconnect(afterBytes: try required("afterBytes"))
        case "corrupt":
            try w.allowKeys(["kind", "recording", "offset", "where", "times"])
            let place = try w.optionalString("where") ?? "transit"
            guard place == "transit" || place == "storage" else {
                throw ScenarioError(path: w.at("where"), reason: "must be \"transit\" or \"storage\"")
            }
            return .corrupt(recording: try recording(), offset: try required("offset"), inTransit: place == "transit",
                            times: Int(try w.integer("times", in: 1...1000) ?? 1))
        case "stall":
            try w.allowKeys(["kind", "afterBytes", "milliseconds"])
            guard let ms = try w.integer("milliseconds", in: 1...600_000) else { throw ScenarioError(path: w.at("milliseconds"), reason: "is required") }
            return .stall(afterBytes: try w.size("afterBytes") ?? 0, milliseconds: Int(ms))
        case "wrongDeviceHash":
            try w.allowKeys(["kind", "recording"])
            return .wrongDeviceHash(recording: try recording())
        case "refuseAuthentication":
            try w.allowKeys(["kind"])
            return .refuseAuthentication
        case "sizeLies":
            try w.allowKeys(["kind", "recording", "reportedSize"])
            return .sizeLies(recording: try recording(), reportedSize: try required("reportedSize"))
        case "catalogNeverEnds":
            try w.allowKeys(["kind"])
            return .catalogNeverEnds
        default:
            throw ScenarioError(path: w.at("kind"), reason: "\"\(kind)\" is not a fault (disconnect, corrupt, stall, wrongDeviceHash, refuseAuthentication, sizeLies, catalogNeverEnds)")
        }
    }

    /// FNV-1a of "serial/id": content differs per recorder and recording without a seed in the file.
    static func defaultSeed(serial: String, id: UInt32) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for b in "\(serial)/\(id)".utf8 {
            h ^= UInt64(b)
            h = h &* 0x0000_0100_0000_01B3
        }
        return h
    }
}
