import RecorderHAL

/// The device's side of `PipeTransferLink`: serves `TransferWire` requests read from `input`
/// by calling `link` (a simulated device's timed host end, so the link model and every fault
/// apply here, in the device's process) and writes each outcome to `output`, one at a time.
public enum TransferServer {
    /// Serves until `input` ends (returns true) or carries something that is not a request
    /// (returns false, after an `.io` reply naming it).
    public static func serve(_ link: any USBTransferLink, input: Int32, output: Int32) async -> Bool {
        while true {
            // A blocking read on this task's thread: the device does nothing between requests.
            let message: [UInt8]
            switch FramedPipe.read(input) {
            case .message(let m): message = m
            case .end: return true
            case .gone, .oversized:
                FramedPipe.write(TransferWire.encode(.failure(.io("simulated device: a request it cannot read"))), to: output)
                return false
            }
            let request: TransferWire.Request
            do {
                request = try TransferWire.decodeRequest(message)
            } catch {
                FramedPipe.write(TransferWire.encode(.failure(.io("simulated device: \(error)"))), to: output)
                return false
            }
            let outcome = await perform(request, on: link)
            guard FramedPipe.write(TransferWire.encode(outcome), to: output) else { return true }
        }
    }

    static func perform(_ request: TransferWire.Request, on link: any USBTransferLink) async -> Result<[UInt8], LinkError> {
        func duration(_ ms: UInt32) -> Duration { .milliseconds(Int64(ms)) }
        do throws(LinkError) {
            switch request {
            case .bulkOut(let bytes, let ms):
                try await link.bulkOut(bytes, timeout: duration(ms))
                return .success([])
            case .bulkIn(let length, let ms):
                return .success(try await link.bulkIn(length: Int(length), timeout: duration(ms)))
            case .control(let requestType, let request, let value, let index, let length, let data, let ms):
                return .success(try await link.control(requestType: requestType, request: request, value: value, index: index,
                                                       data: data, length: Int(length), timeout: duration(ms)))
            case .clearHalt(let direction, let ms):
                try await link.clearHalt(direction, timeout: duration(ms))
                return .success([])
            }
        } catch {
            return .failure(error)
        }
    }
}
