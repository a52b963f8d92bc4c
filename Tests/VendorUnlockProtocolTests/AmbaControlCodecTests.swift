import Testing
import VendorUnlockProtocol

/// amba-ctrl's packets and result, byte for byte from issue 14's text.
@Suite struct AmbaControlCodecTests {
    @Test func theLoginRequestIsAVendorControlOutOf64Bytes() {
        let s = AmbaControl.login
        #expect((s.requestType, s.request, s.value, s.index, s.length) == (0x40, 0x55, 0x0080, 0, 64))
        #expect(!s.isIn)
    }

    @Test func theResultIsReadWithAVendorControlInOf10Bytes() {
        let s = AmbaControl.result
        #expect((s.requestType, s.request, s.value, s.index, s.length) == (0xC0, 0x55, 0x0080, 0, 10))
        #expect(s.isIn)
    }

    @Test func diskModeIsAVendorControlOutWithRequest0x50() {
        let s = AmbaControl.diskMode
        #expect((s.requestType, s.request, s.value, s.index, s.length) == (0x40, 0x50, 0x0080, 0, 64))
    }

    @Test func theLoginPacketIsTheHeaderThePasswordAndZeros() throws {
        let packet = AmbaControl.loginPacket(try AmbaControlPassword("admin123"))
        let expected: [UInt8] = [0xA1, 0x12, 0x00, 0x12, 0x61, 0x64, 0x6D, 0x69, 0x6E, 0x31, 0x32, 0x33]
            + [UInt8](repeating: 0, count: 52)
        #expect(packet == expected)
        #expect(packet.count == 64)
    }

    @Test func theDiskModePacketIsItsHeaderAndZeros() {
        #expect(AmbaControl.diskModePacket == [0xA1, 0x23, 0x00, 0x23] + [UInt8](repeating: 0, count: 60))
    }

    @Test func theLongestPasswordLeavesATerminatingZero() throws {
        let longest = String(repeating: "x", count: 59)
        let packet = AmbaControl.loginPacket(try AmbaControlPassword(longest))
        #expect(packet.count == 64)
        #expect(packet[63] == 0)
        #expect(throws: VendorPasswordError.tooLong(family: "amba-ctrl", bytes: 60, room: 59)) {
            _ = try AmbaControlPassword(longest + "x")
        }
    }

    @Test func aPasswordTheFamilyCannotCarryIsRefusedWhole() {
        #expect(throws: VendorPasswordError.empty(family: "amba-ctrl")) { _ = try AmbaControlPassword("") }
        for bad in ["pass\u{0}word", "pässword", "tab\there"] {
            #expect(throws: VendorPasswordError.self) { _ = try AmbaControlPassword(bad) }
        }
        // Spaces and punctuation are printable ASCII: carried.
        #expect((try? AmbaControlPassword("a b;#@!")) != nil)
    }

    @Test func byte2EqualTo1IsAccepted() throws {
        let accepted = try AmbaControlResult(parsing: [0xA1, 0x55, 0x01, 0, 0, 0, 0, 0, 0, 0], request: "login")
        #expect(accepted.accepted)
        for status: UInt8 in [0, 2, 0xFF] {
            let r = try AmbaControlResult(parsing: [0xA1, 0x55, status, 0, 0, 0, 0, 0, 0, 0], request: "login")
            #expect(!r.accepted)
            #expect(r.status == status)
        }
    }

    @Test func aResultThatIsNotTenBytesIsRefused() {
        for count in [0, 2, 3, 9, 11, 64] {
            #expect(throws: VendorReplyError.wrongLength(reply: "login result", received: count, expected: 10)) {
                _ = try AmbaControlResult(parsing: [UInt8](repeating: 1, count: count), request: "login")
            }
        }
    }

    @Test func thePasswordIsNeverPrinted() throws {
        let secret = "Zq7secretPW"
        let password = try AmbaControlPassword(secret)
        var dumped = ""
        dump(password, to: &dumped)
        for text in ["\(password)", String(describing: password), String(reflecting: password), dumped] {
            #expect(!text.contains(secret))
        }
    }
}
