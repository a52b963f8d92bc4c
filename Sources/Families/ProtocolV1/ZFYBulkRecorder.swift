import Foundation
import GatewayCrypto
import RecorderHAL
import RecorderProtocol

/// The driver for recorders that speak protocol version 1 (Docs/protocol.md) over a pair of
/// vendor-class bulk endpoints: the recorder simulator, and any vendor that implements the spec.
public struct ZFYBulkDriver: RecorderDriver {
    public static let name = "zfy-bulk-v1"
    public var name: String { Self.name }
    /// Protocol v1's own knobs.
    public var protocolOptions: ProtocolV1Options

    public init(protocolOptions: ProtocolV1Options = ProtocolV1Options()) {
        self.protocolOptions = protocolOptions
    }

    public var linkShape: DeviceLink.Shape { .stream }

    public func open(_ link: DeviceLink, options: DriverOptions) async throws(RecorderError) -> any Recorder {
        guard case .stream(let stream) = link else {
            throw RecorderError(.unsupported("\(Self.name) speaks over a stream of bulk transfers, not \(link.shape.rawValue) (\(link))"))
        }
        return try await open(link: stream, options: options)
    }

    /// Opens protocol v1 over `link`, for callers that know the family (the simulator's
    /// rehearsal, tests).
    public func open(link: any RecorderLink, options: DriverOptions) async throws(RecorderError) -> any Recorder {
        try await ZFYBulkRecorder.open(link: link, options: options, protocolOptions: protocolOptions)
    }
}

/// A `Recorder` over protocol version 1.
///
/// What the HAL's promises mean here: `authenticate` answers the device's challenge with an
/// HMAC of the password (never sent); `release` sends RELEASE with the host's SHA-256, which the
/// device checks against its own and refuses with HASH_MISMATCH, freeing nothing.
public final class ZFYBulkRecorder: Recorder {
    public let info: RecorderInfo
    let client: ProtocolClient
    let options: DriverOptions
    let protocolOptions: ProtocolV1Options
    /// Bytes of file data per READ: the largest multiple of 4 KiB that fits the negotiated
    /// payload, capped by the options; whole pages keep staging writes aligned.
    let readChunk: Int

    private init(info: RecorderInfo, client: ProtocolClient, options: DriverOptions, protocolOptions: ProtocolV1Options) {
        self.info = info
        self.client = client
        self.options = options
        self.protocolOptions = protocolOptions
        let fit = (info.maxPayload - ReadRequest.replyOverhead) / 4096 * 4096
        self.readChunk = max(512, min(options.readChunkBytes, fit > 0 ? fit : info.maxPayload - ReadRequest.replyOverhead))
    }

    /// Starts the conversation with HELLO and applies what it negotiated.
    public static func open(link: any RecorderLink, options: DriverOptions,
                            protocolOptions: ProtocolV1Options = ProtocolV1Options()) async throws(RecorderError) -> ZFYBulkRecorder {
        let client = ProtocolClient(link: link)
        await client.start()
        let hello = HelloRequest(maxPayload: UInt32(protocolOptions.maxPayload), hostName: options.hostName)
        do throws(RecorderError) {
            let frame = try await client.exchange(.request(hello, tag: 0), timeout: options.requestTimeout)
            let reply: HelloReply = try decodeReply(frame)
            guard reply.version == FrameHeader.currentVersion else {
                throw RecorderError(.unexpectedReply("device chose protocol version \(reply.version), outside the offered 1...1"))
            }
            guard Int(reply.maxPayload) <= protocolOptions.maxPayload else {
                throw RecorderError(.unexpectedReply("device maxPayload \(reply.maxPayload) exceeds the host's \(protocolOptions.maxPayload)"))
            }
            let inFlight = min(Int(reply.maxInFlight), options.maxInFlight)
            await client.configure(maxPayload: Int(reply.maxPayload), maxInFlight: inFlight)
            var info = RecorderInfo(driver: ZFYBulkDriver.name, protocolVersion: Int(reply.version),
                                    maxPayload: Int(reply.maxPayload), maxInFlight: inFlight,
                                    capabilities: RecorderCapabilities(protocolV1: reply.capabilities), link: link.description)
            info.linkCapacityBytesPerSecond = link.capacityBytesPerSecond
            return ZFYBulkRecorder(info: info, client: client, options: options, protocolOptions: protocolOptions)
        } catch {
            await client.close()
            throw error.context("HELLO")
        }
    }

    public func identity() async throws(RecorderError) -> RecorderIdentity {
        let r: IdentityReply = try await call(IdentityRequest())
        return RecorderIdentity(protocolV1: r)
    }

    public func authenticate(password: String) async throws(RecorderError) {
        let challenge: AuthChallengeReply = try await call(AuthChallengeRequest())
        let mac = hmacSHA256(key: Array(password.utf8), message: challenge.nonce)
        let _: AuthResponseReply = try await call(AuthResponseRequest(mac: mac))
    }

    public func readClock() async throws(RecorderError) -> ClockSample {
        let sent = Date()
        let reply: ClockGetReply = try await call(ClockGetRequest())
        return ClockSample(device: RecorderHAL.DeviceTime(protocolV1: reply.time), hostSent: sent, hostReceived: Date())
    }

    public func setClock(_ time: RecorderHAL.DeviceTime) async throws(RecorderError) {
        let _: ClockSetReply = try await call(ClockSetRequest(time: RecorderProtocol.DeviceTime(time)))
    }

    public func status() async throws(RecorderError) -> RecorderStatus {
        let r: StatusReply = try await call(StatusRequest())
        return RecorderStatus(
            batteryPercent: r.battery == StatusReply.unknownBattery ? nil : Int(r.battery),
            charging: r.charging, recording: r.recording,
            storageTotalBytes: r.storageTotal, storageFreeBytes: r.storageFree,
            temperatureCelsius: r.temperatureDeciCelsius == StatusReply.unknownTemperature
                ? nil : Double(r.temperatureDeciCelsius) / 10)
    }

    public func catalog() async throws(RecorderError) -> [RecorderHAL.CatalogEntry] {
        var entries: [RecorderHAL.CatalogEntry] = []
        var seenIds = Set<UInt32>()
        var seenCursors: Set<UInt32> = [0]
        var cursor: UInt32 = 0
        var pages = 0
        while true {
            let page: CatalogPage
            do throws(RecorderError) {
                page = try await call(CatalogRequest(cursor: cursor, maxEntries: protocolOptions.catalogPageEntries))
            } catch {
                throw error.context("catalog page \(pages + 1) (cursor \(cursor))")
            }
            pages += 1
            if page.entries.count > Int(protocolOptions.catalogPageEntries) {
                throw RecorderError(.protocolViolation(
                    "catalog page \(pages) has \(page.entries.count) entries, more than the \(protocolOptions.catalogPageEntries) asked for"))
            }
            for entry in page.entries {
                if !seenIds.insert(entry.id).inserted {
                    throw RecorderError(.protocolViolation("catalog lists recording id \(entry.id) twice"))
                }
                entries.append(RecorderHAL.CatalogEntry(protocolV1: entry))
            }
            if entries.count > options.maxCatalogEntries {
                throw RecorderError(.protocolViolation(
                    "catalog goes on past \(options.maxCatalogEntries) entries (\(pages) pages); refusing a catalog that does not end"))
            }
            if page.isLast { return entries }
            if page.entries.isEmpty || !seenCursors.insert(page.nextCursor).inserted {
                throw RecorderError(.protocolViolation(
                    "catalog page \(pages) does not advance (next cursor \(page.nextCursor)); refusing a catalog that does not end"))
            }
            cursor = page.nextCursor
        }
    }

    public func read(_ id: UInt32, range: Range<UInt64>) -> any RecordingStream {
        RecordingReader(client: client, id: id, range: range, chunk: readChunk,
                        window: min(options.readWindow, info.maxInFlight),
                        timeout: options.requestTimeout, maxRereads: options.maxRereadsPerChunk)
    }

    public func release(_ id: UInt32, sha256: [UInt8]) async throws(RecorderError) {
        do throws(RecorderError) {
            let _: ReleaseReply = try await call(ReleaseRequest(id: id, sha256: sha256))
        } catch {
            throw error.context("release of recording \(id)")
        }
    }

    public func statistics() async -> ExchangeStatistics {
        await client.statistics()
    }

    public func close() async {
        await client.close()
    }

    /// One request, one reply of the expected type, or a `RecorderError` that says why not.
    private func call<Q: RequestMessage, R: ReplyMessage>(_ request: Q) async throws(RecorderError) -> R {
        let frame = try await client.exchange(.request(request, tag: 0), timeout: options.requestTimeout)
        return try Self.decodeReply(frame)
    }

    static func decodeReply<R: ReplyMessage>(_ frame: Frame) throws(RecorderError) -> R {
        guard frame.status == .ok else {
            throw RecorderError(.device(DeviceRefusal(protocolV1: frame.status, detail: ErrorDetail(payload: frame.payload))))
        }
        do {
            return try R(payload: frame.payload)
        } catch {
            throw RecorderError(.malformedReply(String(describing: error)))
        }
    }
}
