import RecorderHAL
import Testing
@testable import RecorderSimulator

/// The messages between `PipeTransferLink` and `recorder-sim serve`: every call and every
/// outcome survive the trip, and what the device process may not send is refused.
@Suite struct TransferWireTests {
    @Test func everyRequestRoundTrips() throws {
        let requests: [TransferWire.Request] = [
            .bulkOut(Array(0..<31), timeoutMilliseconds: 5000),
            .bulkOut([], timeoutMilliseconds: 1),
            .bulkIn(length: 1 << 20, timeoutMilliseconds: 20000),
            .control(requestType: 0xA1, request: 0xFE, value: 0, index: 0, length: 1, data: [], timeoutMilliseconds: 5000),
            .control(requestType: 0x21, request: 0xFF, value: 0x1234, index: 0xBEEF, length: 3, data: [1, 2, 3], timeoutMilliseconds: .max),
            .clearHalt(.bulkIn, timeoutMilliseconds: 5000),
            .clearHalt(.bulkOut, timeoutMilliseconds: 7),
            .clearHalt(.control, timeoutMilliseconds: 7),
        ]
        for r in requests {
            #expect(try TransferWire.decodeRequest(TransferWire.encode(r)) == r)
        }
    }

    @Test func everyOutcomeRoundTrips() throws {
        let outcomes: [Result<[UInt8], LinkError>] = [
            .success([]), .success([1, 2, 3]),
            .failure(.timedOut(direction: .bulkIn, milliseconds: 20000)), .failure(.timedOut(direction: .control, milliseconds: 1)),
            .failure(.deviceGone), .failure(.stalled(endpoint: 0x81)), .failure(.closed), .failure(.io("simulated device: 读取失败")),
        ]
        for o in outcomes {
            #expect(try TransferWire.decodeReply(TransferWire.encode(o), limit: 3) == o)
        }
    }

    /// More bytes than the transfer asked, an empty or unknown reply, a truncated request: refused.
    @Test func whatCannotBeARepliesOrRequestIsRefused() throws {
        #expect(throws: TransferWire.Malformed.self) { try TransferWire.decodeReply(TransferWire.encode(.success([1, 2, 3, 4])), limit: 3) }
        #expect(throws: TransferWire.Malformed.self) { try TransferWire.decodeReply([], limit: 3) }
        #expect(throws: TransferWire.Malformed.self) { try TransferWire.decodeReply([9], limit: 3) }
        #expect(throws: TransferWire.Malformed.self) { try TransferWire.decodeReply([1, 7, 0, 0, 0, 0], limit: 3) }
        // A failure text is bounded whatever the transfer's limit: it goes into a log line.
        let longest = String(repeating: "x", count: TransferWire.maximumFailureText)
        #expect(try TransferWire.decodeReply(TransferWire.encode(.failure(.io(longest))), limit: 3) == .failure(.io(longest)))
        #expect(throws: TransferWire.Malformed.self) { try TransferWire.decodeReply(TransferWire.encode(.failure(.io(longest + "x"))), limit: 3) }
        #expect(throws: TransferWire.Malformed.self) { try TransferWire.decodeRequest([2, 0, 0, 0]) }
        #expect(throws: TransferWire.Malformed.self) { try TransferWire.decodeRequest([2, 1, 0, 0, 0, 5]) }
        #expect(throws: TransferWire.Malformed.self) { try TransferWire.decodeRequest([4, 1, 0, 0, 0, 3]) }
        #expect(throws: TransferWire.Malformed.self) { try TransferWire.decodeRequest([7, 1, 0, 0, 0]) }
    }

    /// A malformed message is named by its bytes when short, by its length when long: a
    /// device process's 1 MiB of nonsense does not become a 1 MiB log line.
    @Test func aLongMalformedMessageIsNamedByItsLength() {
        #expect(throws: TransferWire.Malformed(description: "a timed-out reply [1, 7, 0, 0, 0, 0]")) {
            try TransferWire.decodeReply([1, 7, 0, 0, 0, 0], limit: 3)
        }
        #expect(throws: TransferWire.Malformed(description: "a timed-out reply of 1048576 bytes")) {
            try TransferWire.decodeReply([1] + [UInt8](repeating: 0, count: (1 << 20) - 1), limit: 3)
        }
        #expect(throws: TransferWire.Malformed(description: "a clear-halt request of 1048576 bytes")) {
            try TransferWire.decodeRequest([4] + [UInt8](repeating: 0, count: (1 << 20) - 1))
        }
    }

    @Test func durationsBecomeWholeMilliseconds() {
        #expect(Duration.seconds(5).transferMilliseconds == 5000)
        #expect(Duration.microseconds(10).transferMilliseconds == 1)
        #expect(Duration.seconds(-1).transferMilliseconds == 1)
        #expect(Duration.seconds(Int64.max).transferMilliseconds == .max)
    }
}
