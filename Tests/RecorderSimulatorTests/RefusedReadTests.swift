import Foundation
import ProtocolV1Family
import RecorderHAL
import RecorderProtocol
import Testing

/// A device that answers HELLO, then refuses the first READ of every offset with a chosen
/// status before serving it: the READ refusals a reader asks again after (BUSY, BAD_REQUEST)
/// and one it does not (RANGE_INVALID). The simulator never sends these for a READ.
private actor RefusingDevice: RecorderLink {
    nonisolated let description = "refusing device"
    let status: Status
    let detail: ErrorDetail
    private var decoder = FrameDecoder()
    private var refused: Set<UInt64> = []
    private var closed = false
    private var pending: [[UInt8]] = []
    private var waiter: CheckedContinuation<[UInt8]?, Never>?

    init(refusing status: Status, detail: ErrorDetail = ErrorDetail()) {
        self.status = status
        self.detail = detail
    }

    func send(_ bytes: [UInt8], timeout: Duration) async throws(LinkError) {
        decoder.append(bytes)
        while let frame = try? decoder.next() {
            switch frame.opcode {
            case .hello:
                deliver(Frame.reply(HelloReply(maxPayload: 1 << 16, maxInFlight: 4, capabilities: []), tag: frame.tag))
            case .read:
                guard let request = try? ReadRequest(payload: frame.payload) else { continue }
                if refused.insert(request.offset).inserted {
                    deliver(Frame.failure(.read, tag: frame.tag, status: status, detail: detail))
                } else {
                    let data = (0..<UInt64(request.length)).map { UInt8(truncatingIfNeeded: request.offset + $0) }
                    deliver(Frame.reply(ReadReply(id: request.id, offset: request.offset, data: data[...]), tag: frame.tag))
                }
            default:
                deliver(Frame.failure(frame.opcode, tag: frame.tag, status: .unsupported))
            }
        }
    }

    private func deliver(_ frame: Frame) {
        if let waiter {
            self.waiter = nil
            waiter.resume(returning: frame.encoded())
        } else {
            pending.append(frame.encoded())
        }
    }

    func receive() async throws(LinkError) -> [UInt8] {
        if !pending.isEmpty { return pending.removeFirst() }
        if closed { throw .closed }
        guard let bytes = await withCheckedContinuation({ waiter = $0 }) else { throw .closed }
        return bytes
    }

    func close() async {
        closed = true
        waiter?.resume(returning: nil)
        waiter = nil
    }
}

@Suite struct RefusedReadTests {
    static let size: UInt64 = 3 * 4096 + 100

    func read(refusing status: Status, detail: ErrorDetail = ErrorDetail()) async throws -> ([UInt8], Int) {
        let link = RefusingDevice(refusing: status, detail: detail)
        let recorder = try await ZFYBulkDriver().open(link: link, options: fastOptions(chunk: 4096))
        defer { Task { await recorder.close() } }
        return try await readAll(recorder, 7, size: Self.size)
    }

    @Test(arguments: [Status.busy, .badRequest])
    func aReadRefusedOnceIsAskedAgain(status: Status) async throws {
        let (bytes, rereads) = try await read(refusing: status, detail: ErrorDetail(value: 1))
        #expect(bytes == (0..<Self.size).map { UInt8(truncatingIfNeeded: $0) })
        #expect(rereads == 4)
    }

    @Test func anotherRefusalEndsTheRead() async throws {
        await #expect { _ = try await read(refusing: .rangeInvalid) } throws: {
            ($0 as? RecorderError)?.deviceStatus == .rangeInvalid && "\($0)".contains("recording 7 at offset 0")
        }
    }
}
