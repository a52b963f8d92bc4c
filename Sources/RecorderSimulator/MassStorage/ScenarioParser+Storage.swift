import Foundation

extension Scenario {
    /// A recorder's `"storage"` object (Docs/simulator.md §11.2). Image paths are resolved
    /// against `directory` (the scenario file's), and each image is opened and sized now, so
    /// that a scenario that cannot be served is refused with the field to blame.
    static func storage(_ w: JSONWalker, directory: String) throws(ScenarioError) -> MassStorageScenario {
        try w.allowKeys(["image", "blockSize", "inquiry", "writeProtected", "shortDataPhase", "faults"])
        let imagePath = resolve(try w.string("image"), in: directory)
        var s = MassStorageScenario(imagePath: imagePath)
        if let size = try w.integer("blockSize", in: 512...4096) {
            guard size == 512 || size == 4096 else { throw ScenarioError(path: w.at("blockSize"), reason: "must be 512 or 4096") }
            s.blockSize = Int(size)
        }
        let imageBytes = try imageSize(imagePath, blockSize: s.blockSize, field: w.at("image"))
        if let q = try w.object("inquiry") {
            try q.allowKeys(["vendor", "product", "revision"])
            func text(_ key: String, _ limit: Int) throws(ScenarioError) -> String? {
                guard let v = try q.optionalString(key) else { return nil }
                guard v.utf8.count <= limit, v.unicodeScalars.allSatisfy({ (0x20...0x7E).contains($0.value) }) else {
                    throw ScenarioError(path: q.at(key), reason: "must be at most \(limit) printable ASCII characters (SPC's INQUIRY field)")
                }
                return v
            }
            s.vendor = try text("vendor", 8) ?? s.vendor
            s.product = try text("product", 16) ?? s.product
            s.revision = try text("revision", 4) ?? s.revision
        }
        s.writeProtected = try w.bool("writeProtected", default: true)
        if let mode = try w.optionalString("shortDataPhase") {
            guard let phase = ShortDataPhase(rawValue: mode) else {
                throw ScenarioError(path: w.at("shortDataPhase"), reason: "\"\(mode)\" must be \"shortPacket\" or \"stall\"")
            }
            s.shortDataPhase = phase
        }
        if let faults = try w.array("faults") {
            for (i, item) in faults.enumerated() {
                let f = try JSONWalker(item, path: w.at("faults[\(i)]"))
                let fault = try storageFault(f, directory: directory, blockSize: s.blockSize, imagePath: imagePath, imageBytes: imageBytes)
                if case .volumeChanged = fault, s.faults.contains(where: { if case .volumeChanged = $0 { true } else { false } }) {
                    throw ScenarioError(path: f.path, reason: "a recorder's volume changes once: only one volumeChanged fault")
                }
                if case .notReady = fault, s.faults.contains(where: { if case .notReady = $0 { true } else { false } }) {
                    throw ScenarioError(path: f.path, reason: "only one notReady fault")
                }
                s.faults.append(fault)
            }
        }
        return s
    }

    private static func storageFault(_ w: JSONWalker, directory: String, blockSize: Int, imagePath: String,
                                     imageBytes: UInt64) throws(ScenarioError) -> MassStorageFault {
        let kind = try w.string("kind")
        let count: ClosedRange<Int64> = 1...Int64(Int32.max)
        func required(_ key: String) throws(ScenarioError) -> Int {
            guard let n = try w.integer(key, in: count) else { throw ScenarioError(path: w.at(key), reason: "is required (a whole number in \(count.lowerBound)...\(count.upperBound))") }
            return Int(n)
        }
        switch kind {
        case "stall":
            let phase = try w.string("phase")
            switch phase {
            case "data":
                try w.allowKeys(["kind", "phase", "read"])
                return .stallData(read: try required("read"))
            case "status":
                try w.allowKeys(["kind", "phase", "command"])
                return .stallStatus(command: try required("command"))
            default:
                throw ScenarioError(path: w.at("phase"), reason: "\"\(phase)\" must be \"data\" (with read) or \"status\" (with command)")
            }
        case "disconnect":
            try w.allowKeys(["kind", "afterBytes", "command"])
            guard w.has("afterBytes") != w.has("command") else {
                throw ScenarioError(path: w.path, reason: "needs exactly one of afterBytes, command")
            }
            if let bytes = try w.size("afterBytes") { return .disconnectAfterBytes(bytes) }
            return .disconnectAtCommand(try required("command"))
        case "mediumError":
            try w.allowKeys(["kind", "firstBlock", "blocks"])
            guard let first = try w.size("firstBlock") else { throw ScenarioError(path: w.at("firstBlock"), reason: "is required (a block number)") }
            let blocks = try w.size("blocks") ?? 1
            guard blocks >= 1, first.addingReportingOverflow(blocks).overflow == false else {
                throw ScenarioError(path: w.at("blocks"), reason: "must be at least 1, with firstBlock + blocks below 2^64")
            }
            return .mediumError(firstBlock: first, blocks: blocks)
        case "wrongTag":
            try w.allowKeys(["kind", "command"])
            return .wrongTag(command: try required("command"))
        case "wrongResidue":
            try w.allowKeys(["kind", "command", "residue"])
            let residue = try w.integer("residue", in: 0...Int64(UInt32.max)).map { UInt32($0) }
            return .wrongResidue(command: try required("command"), residue: residue)
        case "phaseError":
            try w.allowKeys(["kind", "command"])
            return .phaseError(command: try required("command"))
        case "notReady":
            try w.allowKeys(["kind", "testUnitReadys"])
            return .notReady(testUnitReadys: try w.integer("testUnitReadys", in: count).map { Int($0) })
        case "volumeChanged":
            try w.allowKeys(["kind", "afterReads", "afterBytes", "image", "changes"])
            guard w.has("afterReads") != w.has("afterBytes") else {
                throw ScenarioError(path: w.path, reason: "needs exactly one of afterReads, afterBytes")
            }
            let trigger: VolumeChangeTrigger
            if let reads = try w.integer("afterReads", in: 0...Int64(Int32.max)) {
                trigger = .reads(Int(reads))
            } else {
                trigger = .bytes(try w.size("afterBytes")!)
            }
            guard w.has("image") != w.has("changes") else {
                throw ScenarioError(path: w.path, reason: "needs exactly one of image, changes")
            }
            if let path = try w.optionalString("image") {
                let resolved = resolve(path, in: directory)
                _ = try imageSize(resolved, blockSize: blockSize, field: w.at("image"))
                return .volumeChanged(after: trigger, to: .image(resolved))
            }
            guard let list = try w.array("changes"), !list.isEmpty else {
                throw ScenarioError(path: w.at("changes"), reason: "must be a non-empty array of {\"offset\", \"hex\"} or {\"offset\", \"flip\"}")
            }
            var changes: [ByteChange] = []
            for (i, item) in list.enumerated() {
                let c = try JSONWalker(item, path: w.at("changes[\(i)]"))
                try c.allowKeys(["offset", "hex", "flip"])
                guard let offset = try c.size("offset") else { throw ScenarioError(path: c.at("offset"), reason: "is required (a byte offset in the image)") }
                guard c.has("hex") != c.has("flip") else { throw ScenarioError(path: c.path, reason: "needs exactly one of hex, flip") }
                let bytes: [UInt8]
                if let length = try c.integer("flip", in: 1...Int64(Self.largestFlip)) {
                    // Every bit of the range inverted: the image's own bytes, read now, complemented.
                    guard offset < imageBytes, UInt64(length) <= imageBytes - offset else {
                        throw ScenarioError(path: c.at("offset"), reason: "\(offset) + \(length) bytes is past the image's \(imageBytes) bytes")
                    }
                    do {
                        bytes = try MediumImage(path: imagePath).read(at: offset, count: Int(length)).map { ~$0 }
                    } catch {
                        throw ScenarioError(path: c.at("flip"), reason: "cannot be read: \(error)")
                    }
                } else {
                    let hex = try c.string("hex")
                    guard let decoded = hexBytes(hex), !decoded.isEmpty else {
                        throw ScenarioError(path: c.at("hex"), reason: "\"\(hex)\" is not a non-empty even number of hex digits")
                    }
                    bytes = decoded
                }
                guard offset < imageBytes, UInt64(bytes.count) <= imageBytes - offset else {
                    throw ScenarioError(path: c.at("offset"), reason: "\(offset) + \(bytes.count) bytes is past the image's \(imageBytes) bytes")
                }
                changes.append(ByteChange(offset: offset, bytes: bytes))
            }
            return .volumeChanged(after: trigger, to: .changes(changes))
        default:
            throw ScenarioError(path: w.at("kind"), reason: "\"\(kind)\" is not a mass-storage fault (stall, disconnect, mediumError, wrongTag, wrongResidue, phaseError, notReady, volumeChanged)")
        }
    }

    /// The most bytes one `flip` change inverts (they are held in memory as replacements).
    static let largestFlip = 16 << 20

    /// `path` as given when absolute, else relative to `directory`.
    private static func resolve(_ path: String, in directory: String) -> String {
        path.hasPrefix("/") ? path : URL(fileURLWithPath: directory).appendingPathComponent(path).path
    }

    /// The size of the image at `path`, which must open read-only and hold whole blocks.
    private static func imageSize(_ path: String, blockSize: Int, field: String) throws(ScenarioError) -> UInt64 {
        let image: MediumImage
        do {
            image = try MediumImage(path: path)
        } catch {
            throw ScenarioError(path: field, reason: "cannot be served: \(error)")
        }
        guard image.byteCount > 0, image.byteCount % UInt64(blockSize) == 0 else {
            throw ScenarioError(path: field, reason: "\(path) is \(image.byteCount) bytes, not a whole non-zero number of \(blockSize)-byte blocks")
        }
        return image.byteCount
    }

    private static func hexBytes(_ text: String) -> [UInt8]? {
        let digits = Array(text.utf8)
        guard digits.count % 2 == 0 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(digits.count / 2)
        var i = 0
        while i < digits.count {
            guard let hi = hexValue(digits[i]), let lo = hexValue(digits[i + 1]) else { return nil }
            out.append(hi << 4 | lo)
            i += 2
        }
        return out
    }

    private static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x30...0x39: c - 0x30
        case 0x41...0x46: c - 0x41 + 10
        case 0x61...0x66: c - 0x61 + 10
        default: nil
        }
    }
}
