import Testing
import VendorUnlockProtocol

/// Where each family's commands put the password (what a capture writes `<password>` over),
/// from the issue's packet layouts, not from our encoders.
@Suite struct PasswordSpanTests {
    @Test func amba_ctrlsLoginPacketHidesEverythingAfterItsHeader() {
        let packet: [UInt8] = [0xA1, 0x12, 0x00, 0x12] + Array("pw".utf8) + [UInt8](repeating: 0, count: 58)
        #expect(AmbaControl.passwordSpan(inSent: packet) == 4..<64)
        let diskMode: [UInt8] = [0xA1, 0x23, 0x00, 0x23] + [UInt8](repeating: 0, count: 60)
        #expect(AmbaControl.passwordSpan(inSent: diskMode) == nil)
        #expect(AmbaControl.passwordSpan(inSent: [0xA1, 0x12, 0x00, 0x12]) == nil)
    }

    @Test func amba_asciisGdvAndATHHideTheirArgument() {
        #expect(AmbaASCIICommand.passwordSpan(inSent: Array("@Gdv;8;Ab3dEf7h;#".utf8)) == 7..<15)
        #expect(AmbaASCIICommand.passwordSpan(inSent: Array("@ATH;8;Ab3dEf7h;#".utf8)) == 7..<15)
        // Cut short: everything after the length field.
        #expect(AmbaASCIICommand.passwordSpan(inSent: Array("@ATH;8;Ab3d".utf8)) == 7..<11)
        #expect(AmbaASCIICommand.passwordSpan(inSent: Array("@Gdv;Ab3d".utf8)) == 5..<9)
        for other in ["@Ver;8;00000000;#", "@Sdt;8;20261206;#", "@Stm;6;14300500;#", "@Gdv"] {
            #expect(AmbaASCIICommand.passwordSpan(inSent: Array(other.utf8)) == nil)
        }
    }
}
