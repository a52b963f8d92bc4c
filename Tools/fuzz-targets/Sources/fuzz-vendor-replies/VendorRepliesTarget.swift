import FuzzSupport
import VendorUnlockProtocol

/// Every parser of what an Ambarella vendor device sends, on arbitrary bytes: amba-ctrl's
/// result, amba-ascii's replies to `@Ver`, `@Gdv` and the acknowledged commands; and both
/// password checks on the input as text. Checks what each promises: a result only of exactly
/// 10 bytes, its status byte 2; nothing over 64 bytes read as an ascii reply; a device id of
/// 1...32 letters, digits, `-` or `_`; a password accepted only within its family's rules,
/// whose commands never show it; parsing deterministic.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = fuzzInput(data, size)

    switch Result(catching: { () throws(VendorReplyError) in try AmbaControlResult(parsing: bytes, request: "login") }) {
    case .success(let result):
        invariant(bytes.count == AmbaControlResult.size && result.status == bytes[2], "result of \(bytes.count) bytes accepted")
        invariant(result.accepted == (bytes[2] == 1), "accepted without status 1")
    case .failure(let error):
        invariant(bytes.count != AmbaControlResult.size, "a 10-byte result refused: \(error)")
    }

    let version = try? AmbaASCIIReply.version(bytes)
    invariant(version == nil || bytes.count <= AmbaASCIIReply.maximumLength, "Ver reply over 64 bytes read")
    invariant(version == (try? AmbaASCIIReply.version(bytes)), "Ver reply read twice differs")

    switch Result(catching: { () throws(VendorReplyError) in try AmbaASCIIReply.deviceId(bytes) }) {
    case .success(.deviceId(let id)):
        invariant(bytes.count <= AmbaASCIIReply.maximumLength, "Gdv reply over 64 bytes read")
        invariant((1...AmbaDeviceId.maximumLength).contains(id.value.utf8.count), "id of \(id.value.utf8.count) characters")
        invariant(id.value.utf8.allSatisfy { b in
            (0x30...0x39).contains(b) || (0x41...0x5A).contains(b) || (0x61...0x7A).contains(b) || b == 0x2D || b == 0x5F
        }, "id outside the alphabet")
        invariant(bytes.starts(with: Array("@Gdv;".utf8)) || bytes.drop { $0 == 0x20 }.starts(with: Array("@Gdv;".utf8)), "id from a reply not @Gdv;")
    case .success(.passwordRefused):
        invariant(bytes.count <= AmbaASCIIReply.maximumLength, "Gdv reply over 64 bytes read")
    case .failure(let error):
        invariant(!error.description.isEmpty, "empty error")
    }

    if (try? AmbaASCIIReply.acknowledgement(bytes, command: "ATH")) != nil {
        invariant(bytes.count <= AmbaASCIIReply.maximumLength, "ATH reply over 64 bytes read")
    }

    let text = String(decoding: bytes, as: UTF8.self)
    if let password = try? AmbaASCIIPassword(text) {
        invariant(bytes.count == AmbaASCIIPassword.length && bytes.allSatisfy { (0x21...0x7E).contains($0) && $0 != 0x3B && $0 != 0x23 && $0 != 0x40 },
                  "ascii password outside its rules accepted")
        let command = AmbaASCIICommand.deviceId(password)
        invariant(command.bytes == Array("@Gdv;8;".utf8) + bytes + Array(";#".utf8), "Gdv bytes")
        invariant(command.description == "@Gdv;8;<password>;#" && "\(password)" == "<amba-ascii password withheld>", "password shown")
    }
    if let password = try? AmbaControlPassword(text) {
        invariant((1...AmbaControlPassword.room).contains(bytes.count) && bytes.allSatisfy { (0x20...0x7E).contains($0) },
                  "ctrl password outside its rules accepted")
        let packet = AmbaControl.loginPacket(password)
        invariant(packet.count == 64 && packet[63] == 0 && Array(packet[4..<(4 + bytes.count)]) == bytes, "login packet")
    }
    return 0
}
