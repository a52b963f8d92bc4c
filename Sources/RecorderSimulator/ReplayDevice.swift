import Foundation
import RecorderProtocol

/// A recorder played back from a capture (`CaptureLink`): each request is answered with the
/// reply the real recorder gave to the same request, re-tagged. Requests are matched on opcode
/// and payload; a HELLO, CLOCK_GET, CLOCK_SET, STATUS or AUTH_CHALLENGE whose payload differs
/// (a new host name, a new time) takes the next recorded reply of its opcode. A READ that the
/// capture does not hold is answered RANGE_INVALID, never with made-up data.
public actor ReplayDevice: SimulatedDeviceEnd {
    public nonisolated let bus: SimulatedBus
    private var exact: [Key: [Frame]] = [:]
    private var byOpcode: [Opcode: [Frame]] = [:]
    private var decoder = FrameDecoder(maximumPayload: FrameHeader.protocolMaximumPayload)

    private struct Key: Hashable {
        var opcode: Opcode
        var payload: [UInt8]
    }

    /// Reads a capture file.
    ///
    /// - Throws: `ScenarioError` naming the line that is wrong.
    public init(capture path: String, bus: SimulatedBus) throws(ScenarioError) {
        self.bus = bus
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw ScenarioError(path: path, reason: "cannot read the capture")
        }
        var out = FrameDecoder(maximumPayload: FrameHeader.protocolMaximumPayload)
        var into = FrameDecoder(maximumPayload: FrameHeader.protocolMaximumPayload)
        var requests: [UInt32: [Frame]] = [:]
        var order: [Frame] = []
        var replies: [UInt32: [Frame]] = [:]
        for (i, line) in text.split(separator: "\n").enumerated() {
            guard let object = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any] else {
                throw ScenarioError(path: "\(path):\(i + 1)", reason: "not a JSON object")
            }
            if i == 0 {
                guard object["format"] as? String == "recorder-gateway-capture", object["version"] as? Int == 1 else {
                    throw ScenarioError(path: "\(path):1", reason: "not a recorder-gateway capture, version 1")
                }
                continue
            }
            guard let direction = object["dir"] as? String, let b64 = object["data"] as? String,
                  let data = Data(base64Encoded: b64) else {
                throw ScenarioError(path: "\(path):\(i + 1)", reason: "needs dir and base64 data")
            }
            do throws(FrameError) {
                if direction == "out" {
                    out.append([UInt8](data))
                    while let f = try out.next() { requests[f.tag, default: []].append(f); order.append(f) }
                } else {
                    into.append([UInt8](data))
                    while let f = try into.next() { replies[f.tag, default: []].append(f) }
                }
            } catch {
                throw ScenarioError(path: "\(path):\(i + 1)", reason: "\(error)")
            }
        }
        // Pair each request with the reply of its tag, in order (tags may be reused later).
        for request in order {
            guard var list = replies[request.tag], !list.isEmpty else { continue }
            let reply = list.removeFirst()
            replies[request.tag] = list
            exact[Key(opcode: request.opcode, payload: request.payload), default: []].append(reply)
            byOpcode[request.opcode, default: []].append(reply)
        }
    }

    /// A recorder docked on a new unlimited bus, playing the capture.
    public static func dock(capture path: String, name: String) async throws(ScenarioError) -> ReplayDevice {
        let bus = SimulatedBus(model: .unlimited, name: name)
        let device = try ReplayDevice(capture: path, bus: bus)
        await bus.attach(device)
        return device
    }

    public func handle(_ bytes: [UInt8]) async {
        decoder.append(bytes)
        while let frame = try? decoder.next() {
            var reply = take(frame)
            reply.tag = frame.tag
            await bus.deviceSend(reply.encoded())
        }
    }

    private func take(_ request: Frame) -> Frame {
        let key = Key(opcode: request.opcode, payload: request.payload)
        if var list = exact[key], !list.isEmpty {
            let reply = list.count > 1 ? list.removeFirst() : list[0]
            exact[key] = list
            return reply
        }
        let loose: Set<Opcode> = [.hello, .clockGet, .clockSet, .status, .authChallenge]
        if loose.contains(request.opcode), var list = byOpcode[request.opcode], !list.isEmpty {
            let reply = list.count > 1 ? list.removeFirst() : list[0]
            byOpcode[request.opcode] = list
            return reply
        }
        let status: Status = request.opcode == .read ? .rangeInvalid : .unsupported
        return .failure(request.opcode, tag: request.tag, status: status, detail: ErrorDetail(message: "not in the capture"))
    }
}
