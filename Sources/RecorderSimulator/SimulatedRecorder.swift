import Foundation
import GatewayCrypto
import ProtocolV1Family
import RecorderHAL
import RecorderProtocol

/// The device side of protocol version 1, played from a `RecorderScenario` over a
/// `SimulatedBus`. Behaves as Docs/protocol.md says a recorder must, except where the
/// scenario's faults say otherwise.
public actor SimulatedRecorder: SimulatedDeviceEnd {
    public nonisolated let scenario: RecorderScenario
    public nonisolated let bus: SimulatedBus

    private var decoder = FrameDecoder(maximumPayload: FrameHeader.initialMaximumPayload)
    private var negotiatedPayload = FrameHeader.initialMaximumPayload
    private var inFlight = 0
    private var authenticated = false
    private var nonce: [UInt8]?
    private var failedAttempts = 0
    private var lockedUntil: Date?
    private var clockBase: (host: Date, deviceMilliseconds: Double)
    private var zoneOffsetMinutes: Int16
    private var released = Set<UInt32>()
    private var recordings: [UInt32: SimulatedRecording]
    private var hashCache: [UInt32: [UInt8]] = [:]
    private var transitCorruptionsLeft: [Int: Int] = [:]
    private var stallsDone = Set<Int>()
    private var silentUntil: ContinuousClock.Instant?
    /// File bytes sent in READ replies so far.
    public private(set) var fileBytesSent: UInt64 = 0
    /// Requests answered, by opcode.
    public private(set) var requestCounts: [Opcode: Int] = [:]

    public init(scenario: RecorderScenario, bus: SimulatedBus) {
        self.scenario = scenario
        self.bus = bus
        let now = Date()
        self.clockBase = (now, now.timeIntervalSince1970 * 1000 + scenario.clock.offsetSeconds * 1000)
        self.zoneOffsetMinutes = Int16(scenario.clock.zoneOffsetMinutes)
        self.recordings = Dictionary(scenario.recordings.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        for (i, fault) in scenario.faults.enumerated() {
            if case .corrupt(_, _, true, let times) = fault { transitCorruptionsLeft[i] = times }
        }
    }

    /// A recorder docked on a new bus with the scenario's link model.
    public static func dock(_ scenario: RecorderScenario) async -> SimulatedRecorder {
        let bus = SimulatedBus(model: scenario.link, name: scenario.identity.serial)
        let device = SimulatedRecorder(scenario: scenario, bus: bus)
        await bus.attach(device)
        return device
    }

    /// The furthest from 1970 CLOCK_SET may set the clock, either way, in milliseconds: 2^53
    /// (about 285,000 years), where the Double the clock runs in still holds every millisecond.
    public static let clockLimitMilliseconds: UInt64 = 9_007_199_254_740_992

    /// The device's clock now, UTC milliseconds.
    public func deviceNowMilliseconds() -> Int64 {
        let elapsed = Date().timeIntervalSince(clockBase.host)
        let drift = scenario.clock.driftSecondsPerDay * elapsed / 86400
        return Int64((clockBase.deviceMilliseconds + elapsed * 1000 + drift * 1000).rounded())
    }

    /// Recordings the host has released.
    public var releasedIds: Set<UInt32> { released }

    // MARK: - Receiving

    public func handle(_ bytes: [UInt8]) async {
        decoder.append(bytes)
        while true {
            let frame: Frame
            do throws(FrameError) {
                guard let f = try decoder.next() else { return }
                frame = f
            } catch {
                if case .payloadCheckMismatch(let opcode, let tag, _, _) = error {
                    await reply(.failure(opcode, tag: tag, status: .badRequest,
                                         detail: ErrorDetail(message: "payload check mismatch")))
                    continue
                }
                if case .unknownOpcode(_, let tag, _) = error {
                    // There is no opcode to answer with; the host times the request out.
                    _ = tag
                    continue
                }
                // Out of step: drop everything buffered and wait for the host to start over.
                decoder.reset()
                return
            }
            guard !frame.isResponse else { continue }
            requestCounts[frame.opcode, default: 0] += 1
            if inFlight >= scenario.maxInFlight {
                await reply(.failure(frame.opcode, tag: frame.tag, status: .busy,
                                     detail: ErrorDetail(value: 5, message: "\(scenario.maxInFlight) requests in flight")))
                continue
            }
            inFlight += 1
            await respond(to: frame)
            inFlight -= 1
        }
    }

    private func respond(to frame: Frame) async {
        let tag = frame.tag
        do throws(MessageError) {
            switch frame.opcode {
            case .hello: await hello(try HelloRequest(payload: frame.payload), tag: tag)
            case .identity:
                _ = try IdentityRequest(payload: frame.payload)
                await reply(.reply(IdentityReply(scenario.identity), tag: tag))
            case .authChallenge:
                _ = try AuthChallengeRequest(payload: frame.payload)
                let n = (try? secureRandomBytes(32)) ?? [UInt8](repeating: 0x5A, count: 32)
                nonce = n
                await reply(.reply(AuthChallengeReply(nonce: n), tag: tag))
            case .authResponse: await authenticate(try AuthResponseRequest(payload: frame.payload), tag: tag)
            default:
                guard authenticated else {
                    await reply(.failure(frame.opcode, tag: tag, status: .authRequired,
                                         detail: ErrorDetail(message: "authenticate first")))
                    return
                }
                switch frame.opcode {
                case .clockGet:
                    _ = try ClockGetRequest(payload: frame.payload)
                    await reply(.reply(ClockGetReply(time: RecorderProtocol.DeviceTime(utcMilliseconds: deviceNowMilliseconds(),
                                                                      zoneOffsetMinutes: zoneOffsetMinutes)), tag: tag))
                case .clockSet: await setClock(try ClockSetRequest(payload: frame.payload), tag: tag)
                case .status:
                    _ = try StatusRequest(payload: frame.payload)
                    await reply(.reply(statusReply(), tag: tag))
                case .catalog: await catalog(try CatalogRequest(payload: frame.payload), tag: tag)
                case .read: await read(try ReadRequest(payload: frame.payload), tag: tag)
                case .release: await release(try ReleaseRequest(payload: frame.payload), tag: tag)
                case .hello, .identity, .authChallenge, .authResponse: break
                }
            }
        } catch {
            await reply(.failure(frame.opcode, tag: tag, status: .badRequest, detail: ErrorDetail(message: error.description)))
        }
    }

    // MARK: - Operations

    private func hello(_ request: HelloRequest, tag: UInt32) async {
        guard request.minVersion <= FrameHeader.currentVersion, FrameHeader.currentVersion <= request.maxVersion else {
            await reply(.failure(.hello, tag: tag, status: .unsupported,
                                 detail: ErrorDetail(message: "this device speaks version 1 only")))
            return
        }
        let limit = min(Int(request.maxPayload), scenario.maxPayload)
        guard limit >= FrameHeader.initialMaximumPayload else {
            await reply(.failure(.hello, tag: tag, status: .badRequest,
                                 detail: ErrorDetail(message: "maxPayload below 4096")))
            return
        }
        var caps: Capabilities = [.authenticationRequired, .clockSet, .release]
        if scenario.deviceHashes { caps.insert(.deviceHashes) }
        if scenario.recordings.contains(where: { $0.kind == .gpsLog }) { caps.insert(.gpsLog) }
        if scenario.recordings.contains(where: { $0.kind == .timeLog }) { caps.insert(.timeLog) }
        // The reply goes out under the old limit; both sides switch after it.
        await reply(.reply(HelloReply(maxPayload: UInt32(limit), maxInFlight: UInt16(scenario.maxInFlight),
                                      capabilities: caps), tag: tag))
        negotiatedPayload = limit
        decoder.maximumPayload = limit
        authenticated = false
    }

    private func authenticate(_ request: AuthResponseRequest, tag: UInt32) async {
        let presented = nonce
        nonce = nil // a nonce answers one attempt only, even one refused by a lockout
        if let until = lockedUntil, until > Date() {
            await reply(.failure(.authResponse, tag: tag, status: .lockedOut,
                                 detail: ErrorDetail(value: UInt32(until.timeIntervalSinceNow.rounded(.up)), message: "too many wrong passwords")))
            return
        }
        lockedUntil = nil
        guard let n = presented else {
            await reply(.failure(.authResponse, tag: tag, status: .badRequest,
                                 detail: ErrorDetail(message: "AUTH_CHALLENGE first")))
            return
        }
        let expected = hmacSHA256(key: Array(scenario.password.utf8), message: n)
        let refused = scenario.faults.contains(.refuseAuthentication)
        if !refused && constantTimeEqual(expected, request.mac) {
            authenticated = true
            failedAttempts = 0
            await reply(.reply(AuthResponseReply(), tag: tag))
            return
        }
        failedAttempts += 1
        if failedAttempts >= scenario.lockoutAttempts {
            failedAttempts = 0
            lockedUntil = Date().addingTimeInterval(TimeInterval(scenario.lockoutSeconds))
            await reply(.failure(.authResponse, tag: tag, status: .lockedOut,
                                 detail: ErrorDetail(value: UInt32(scenario.lockoutSeconds), message: "too many wrong passwords")))
        } else {
            await reply(.failure(.authResponse, tag: tag, status: .passwordWrong,
                                 detail: ErrorDetail(value: UInt32(scenario.lockoutAttempts - failedAttempts))))
        }
    }

    private func setClock(_ request: ClockSetRequest, tag: UInt32) async {
        if scenario.clock.refuseSet {
            await reply(.failure(.clockSet, tag: tag, status: .timeSetFailed, detail: ErrorDetail(message: "RTC write failed")))
            return
        }
        // The clock runs in a Double of milliseconds: beyond 2^53 it would not hold the time it
        // was given, and reading it back into an Int64 near the ends would trap. Like a real RTC
        // asked for a year it cannot hold, the device refuses.
        guard request.time.utcMilliseconds.magnitude <= SimulatedRecorder.clockLimitMilliseconds else {
            await reply(.failure(.clockSet, tag: tag, status: .timeSetFailed,
                                 detail: ErrorDetail(message: "\(request.time.utcMilliseconds) ms is outside what this clock holds (±\(SimulatedRecorder.clockLimitMilliseconds) ms)")))
            return
        }
        clockBase = (Date(), Double(request.time.utcMilliseconds))
        zoneOffsetMinutes = request.time.zoneOffsetMinutes
        await reply(.reply(ClockSetReply(), tag: tag))
    }

    private func statusReply() -> StatusReply {
        let s = scenario.status
        // A scenario's sizes go up to 2^64 − 1 each: their sum saturates rather than trapping.
        let used = recordings.values.filter { !released.contains($0.id) }.map(\.size).saturatingSum()
        let total = s.reportedStorageTotalBytes ?? max(s.storageTotalBytes, used)
        return StatusReply(battery: s.batteryPercent.map { UInt8(clamping: $0) } ?? StatusReply.unknownBattery,
                           charging: s.charging, recording: s.recording,
                           storageTotal: total, storageFree: total > used ? total - used : 0,
                           temperatureDeciCelsius: s.temperatureCelsius.map { Int16(clamping: Int(($0 * 10).rounded())) }
                               ?? StatusReply.unknownTemperature)
    }

    private func catalog(_ request: CatalogRequest, tag: UInt32) async {
        // The cursor indexes the scenario's list, released files included, so releasing a file
        // between pages does not shift the entries still to come.
        let all = scenario.recordings
        let start = Int(request.cursor)
        if scenario.faults.contains(.catalogNeverEnds) && start >= all.count {
            // Made-up entries, forever: each page names the next, and fits the payload limit.
            let fit = max(1, (negotiatedPayload - 6) / (68 + 24))
            let fake = (0..<min(Int(request.maxEntries), fit)).map { k -> RecorderProtocol.CatalogEntry in
                let n = UInt32(truncatingIfNeeded: start + k + 1_000_000)
                return RecorderProtocol.CatalogEntry(id: n, kind: .eventLog, sequence: n, size: 1, startMilliseconds: 0,
                                    endMilliseconds: 0, deviceSHA256: nil, path: Array("LOG/ghost\(n).log".utf8))
            }
            // Any u32 cursor the host sends pages on: past the top the cursors wrap to 0, and
            // never name the end marker.
            let next = UInt32(truncatingIfNeeded: start + fake.count)
            await reply(.reply(CatalogPage(nextCursor: next == CatalogPage.end ? 0 : next, entries: fake), tag: tag))
            return
        }
        guard start <= all.count else {
            await reply(.failure(.catalog, tag: tag, status: .rangeInvalid, detail: ErrorDetail(message: "unknown cursor")))
            return
        }
        // As many unreleased entries as fit the negotiated payload (the scenario parser makes
        // sure every single entry fits).
        var entries: [RecorderProtocol.CatalogEntry] = []
        var bytes = 6
        var index = start
        while index < all.count && entries.count < Int(request.maxEntries) {
            if released.contains(all[index].id) {
                index += 1
                continue
            }
            let entry = catalogEntry(all[index])
            let size = 68 + entry.pathBytes.count
            if bytes + size > negotiatedPayload { break }
            bytes += size
            entries.append(entry)
            index += 1
        }
        let more = index < all.count || scenario.faults.contains(.catalogNeverEnds)
        if more && entries.isEmpty {
            await reply(.failure(.catalog, tag: tag, status: .internalError,
                                 detail: ErrorDetail(message: "catalog entry \(index) does not fit the negotiated payload")))
            return
        }
        await reply(.reply(CatalogPage(nextCursor: more ? UInt32(index) : CatalogPage.end, entries: entries), tag: tag))
    }

    private func catalogEntry(_ r: SimulatedRecording) -> RecorderProtocol.CatalogEntry {
        var size = r.size
        var hash: [UInt8]? = scenario.deviceHashes ? deviceHash(r) : nil
        for fault in scenario.faults {
            switch fault {
            case .sizeLies(r.id, let reported): size = reported
            case .wrongDeviceHash(r.id): hash = hash.map { h in var h = h; h[0] ^= 0xFF; return h }
            default: break
            }
        }
        return RecorderProtocol.CatalogEntry(id: r.id, kind: r.kind, important: r.important, sequence: r.sequence, size: size,
                            startMilliseconds: r.startMilliseconds, endMilliseconds: r.endMilliseconds,
                            deviceSHA256: hash, path: r.path)
    }

    /// The hash the device took when recording: of the true content, before any storage fault.
    private func deviceHash(_ r: SimulatedRecording) -> [UInt8] {
        if let h = hashCache[r.id] { return h }
        let h = SimulatedRecorder.sha256(of: r, corruptions: [])
        hashCache[r.id] = h
        return h
    }

    /// SHA-256 of a recording's content with storage corruptions applied.
    static func sha256(of r: SimulatedRecording, corruptions: [UInt64]) -> [UInt8] {
        let hasher = SHA256Hasher()
        let block = 1 << 20
        var buffer = [UInt8](repeating: 0, count: block)
        var offset: UInt64 = 0
        while offset < r.size {
            let n = Int(min(UInt64(block), r.size - offset))
            buffer.withUnsafeMutableBytes { raw in
                let part = UnsafeMutableRawBufferPointer(rebasing: raw[0..<n])
                r.fill(part, offset: offset)
                for c in corruptions where c >= offset && c < offset + UInt64(n) {
                    part[Int(c - offset)] ^= 0xFF
                }
                hasher.update(UnsafeRawBufferPointer(part))
            }
            offset += UInt64(n)
        }
        return hasher.finalize()
    }

    private func read(_ request: ReadRequest, tag: UInt32) async {
        guard let r = recordings[request.id], !released.contains(request.id) else {
            await reply(.failure(.read, tag: tag, status: .noSuchRecording,
                                 detail: ErrorDetail(message: "no recording \(request.id)")))
            return
        }
        let end = request.offset.addingReportingOverflow(UInt64(request.length))
        guard !end.overflow, end.partialValue <= r.size,
              Int(request.length) + ReadRequest.replyOverhead <= negotiatedPayload else {
            await reply(.failure(.read, tag: tag, status: .rangeInvalid,
                                 detail: ErrorDetail(message: "\(request.offset)+\(request.length) outside 0..<\(r.size) or over the payload limit")))
            return
        }
        var bytes = SimulatedRecorder.readReplyFrame(tag: tag, recording: r, offset: request.offset,
                                                     length: Int(request.length)) { data in
            for fault in scenario.faults {
                if case .corrupt(r.id, let at, false, _) = fault, at >= request.offset, at < end.partialValue {
                    data[Int(at - request.offset)] ^= 0xFF
                }
            }
        }
        // In-transit damage happens after the CRC was computed.
        for (i, fault) in scenario.faults.enumerated() {
            if case .corrupt(r.id, let at, true, _) = fault, at >= request.offset, at < end.partialValue,
               transitCorruptionsLeft[i, default: 0] > 0 {
                transitCorruptionsLeft[i]! -= 1
                bytes[FrameHeader.size + ReadRequest.replyOverhead + Int(at - request.offset)] ^= 0xFF
            }
        }
        let before = fileBytesSent
        fileBytesSent += UInt64(request.length)
        for (i, fault) in scenario.faults.enumerated() {
            if case .stall(let after, let ms) = fault, !stallsDone.contains(i), fileBytesSent > after {
                stallsDone.insert(i)
                silentUntil = ContinuousClock.now + .milliseconds(ms)
            }
            if case .disconnect(let after) = fault, fileBytesSent > after {
                let cut = FrameHeader.size + ReadRequest.replyOverhead + Int(after - min(after, before))
                await transmit(Array(bytes.prefix(cut)))
                await bus.unplug()
                return
            }
        }
        await transmit(bytes)
    }

    /// A READ reply frame with the content generated straight into it: the simulator's hot path.
    static func readReplyFrame(tag: UInt32, recording r: SimulatedRecording, offset: UInt64, length: Int,
                               damage: (inout UnsafeMutableRawBufferPointer) -> Void) -> [UInt8] {
        let payloadLength = ReadRequest.replyOverhead + length
        let total = FrameHeader.size + payloadLength
        return [UInt8](unsafeUninitializedCapacity: total) { buffer, initialized in
            let raw = UnsafeMutableRawBufferPointer(buffer)
            raw.storeBytes(of: r.id.littleEndian, toByteOffset: FrameHeader.size, as: UInt32.self)
            raw.storeBytes(of: offset.littleEndian, toByteOffset: FrameHeader.size + 4, as: UInt64.self)
            var data = UnsafeMutableRawBufferPointer(rebasing: raw[(FrameHeader.size + ReadRequest.replyOverhead)...])
            r.fill(data, offset: offset)
            damage(&data)
            let crc = CRC32C.checksum(UnsafeRawBufferPointer(rebasing: raw[FrameHeader.size...]))
            let header = FrameHeader(opcode: .read, isResponse: true, tag: tag,
                                     payloadLength: UInt32(payloadLength), payloadCRC: crc).encoded()
            for (i, b) in header.enumerated() { raw[i] = b }
            initialized = total
        }
    }

    private func release(_ request: ReleaseRequest, tag: UInt32) async {
        guard let r = recordings[request.id], !released.contains(request.id) else {
            await reply(.failure(.release, tag: tag, status: .noSuchRecording,
                                 detail: ErrorDetail(message: "no recording \(request.id)")))
            return
        }
        // The device compares with what it believes: its own hash, wrong or not.
        let own = scenario.deviceHashes ? catalogEntry(r).deviceSHA256 ?? deviceHash(r) : deviceHash(r)
        guard constantTimeEqual(own, request.sha256) else {
            await reply(.failure(.release, tag: tag, status: .hashMismatch,
                                 detail: ErrorDetail(message: "sha256 differs from the device's")))
            return
        }
        released.insert(request.id)
        await reply(.reply(ReleaseReply(), tag: tag))
    }

    private func reply(_ frame: Frame) async {
        await transmit(frame.encoded())
    }

    /// Puts a frame on the bus, after any stall in force: a stalled device answers nothing.
    private func transmit(_ bytes: [UInt8]) async {
        if let until = silentUntil, until > ContinuousClock.now {
            try? await ContinuousClock().sleep(until: until)
        }
        await bus.deviceSend(bytes)
    }
}
