import FuzzSupport
import RecorderProtocol

/// Every message codec on arbitrary payloads. The first input byte picks the message, the
/// rest is its payload. Checks what `WireMessage` promises: decoding never traps, and a
/// decoded message survives encoding (`try M(payload: m.encoded()) == m`), whose bytes are
/// then a fixed point. `ErrorDetail`, which decodes anything, must do the same.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = fuzzInput(data, size)
    guard let selector = bytes.first else { return 0 }
    let payload = Array(bytes.dropFirst())
    let decoders = messageTypes
    let type = decoders[Int(selector) % decoders.count]
    type.check(payload)
    return 0
}

/// The messages of protocol version 1, request and reply, in opcode order.
let messageTypes: [any WireMessage.Type] = [
    HelloRequest.self, HelloReply.self, IdentityRequest.self, IdentityReply.self,
    AuthChallengeRequest.self, AuthChallengeReply.self, AuthResponseRequest.self, AuthResponseReply.self,
    ClockGetRequest.self, ClockGetReply.self, ClockSetRequest.self, ClockSetReply.self,
    StatusRequest.self, StatusReply.self, CatalogRequest.self, CatalogPage.self,
    ReadRequest.self, ReadReply.self, ReleaseRequest.self, ReleaseReply.self,
    ErrorDetailMessage.self,
]

extension WireMessage {
    static func check(_ payload: [UInt8]) {
        let message: Self
        do throws(MessageError) { message = try Self(payload: payload) } catch {
            invariant(!error.field.isEmpty, "\(Self.self): an error naming no field: \(error)")
            return
        }
        let encoded = message.encoded()
        let again: Self
        do throws(MessageError) { again = try Self(payload: encoded) } catch {
            invariant(false, "\(Self.self): \(message) encodes to bytes it refuses: \(error)")
            return
        }
        invariant(again == message, "\(Self.self): \(message) comes back as \(again)")
        invariant(again.encoded() == encoded, "\(Self.self): encoding is not a fixed point")
    }
}

/// `ErrorDetail` is not a `WireMessage` (it goes with any opcode and decodes leniently); this
/// wrapper lets it share the check. Its promise is weaker: the value and the message survive.
struct ErrorDetailMessage: WireMessage {
    static let opcode = Opcode.hello
    static let direction = "error reply"
    var detail: ErrorDetail
    init(payload: [UInt8]) throws(MessageError) { detail = ErrorDetail(payload: payload) }
    func encode(into w: inout ByteWriter) { w.bytes(detail.encoded()) }
}
