import Testing
import VendorUnlockProtocol

/// amba-ascii's commands and replies, byte for byte from issue 14's text.
@Suite struct AmbaASCIICodecTests {
    let password = try! AmbaASCIIPassword("12345678")

    @Test func theCommandsAreTheIssuesBytes() throws {
        #expect(AmbaASCIICommand.version.bytes == Array("@Ver;8;00000000;#".utf8))
        #expect(AmbaASCIICommand.deviceId(password).bytes == Array("@Gdv;8;12345678;#".utf8))
        #expect(AmbaASCIICommand.storageMode(password).bytes == Array("@ATH;8;12345678;#".utf8))
        #expect(try AmbaASCIICommand.setDate(year: 2026, month: 12, day: 6).bytes == Array("@Sdt;8;20261206;#".utf8))
        #expect(try AmbaASCIICommand.setTime(hour: 9, minute: 5, second: 7).bytes == Array("@Stm;6;09050700;#".utf8))
        #expect(try AmbaASCIICommand.setDate(year: 987, month: 1, day: 2).bytes == Array("@Sdt;8;09870102;#".utf8))
    }

    @Test func theDescriptionWithholdsThePassword() {
        let secret = try! AmbaASCIIPassword("Qx9!zz7K")
        for command in [AmbaASCIICommand.deviceId(secret), .storageMode(secret)] {
            #expect(command.carriesPassword)
            var dumped = ""
            dump(command, to: &dumped)
            for text in [command.description, "\(command)", String(reflecting: command), dumped] {
                #expect(!text.contains("Qx9!zz7K"))
            }
        }
        #expect(AmbaASCIICommand.deviceId(secret).description == "@Gdv;8;<password>;#")
        #expect(AmbaASCIICommand.version.description == "@Ver;8;00000000;#")
        #expect(!AmbaASCIICommand.version.carriesPassword)
    }

    @Test func aClockThatDoesNotExistIsRefused() {
        #expect(throws: AmbaClockError.field("day", 29, "1...28")) { _ = try AmbaASCIICommand.setDate(year: 2026, month: 2, day: 29) }
        #expect((try? AmbaASCIICommand.setDate(year: 2028, month: 2, day: 29)) != nil)
        #expect(throws: AmbaClockError.self) { _ = try AmbaASCIICommand.setDate(year: 10000, month: 1, day: 1) }
        #expect(throws: AmbaClockError.self) { _ = try AmbaASCIICommand.setDate(year: 2026, month: 13, day: 1) }
        #expect(throws: AmbaClockError.self) { _ = try AmbaASCIICommand.setTime(hour: 24, minute: 0, second: 0) }
        #expect(throws: AmbaClockError.self) { _ = try AmbaASCIICommand.setTime(hour: 23, minute: 59, second: 60) }
    }

    @Test func aPasswordIsExactlyEightCarriableCharacters() {
        #expect(throws: VendorPasswordError.empty(family: "amba-ascii")) { _ = try AmbaASCIIPassword("") }
        #expect(throws: VendorPasswordError.wrongLength(family: "amba-ascii", bytes: 7, required: 8)) { _ = try AmbaASCIIPassword("1234567") }
        #expect(throws: VendorPasswordError.wrongLength(family: "amba-ascii", bytes: 9, required: 8)) { _ = try AmbaASCIIPassword("123456789") }
        for bad in ["1234;678", "1234#678", "@2345678", "1234 678", "1234\n678", "1234é67"] {
            #expect(throws: VendorPasswordError.characterNotCarried(family: "amba-ascii", allowed: "visible ASCII 0x21...0x7E except ; # @")) {
                _ = try AmbaASCIIPassword(bad)
            }
        }
    }

    @Test func aPasswordErrorNeverHoldsThePassword() {
        for bad in ["Secr;t99", "Secret9", "Secret999", "Secr#t99"] {
            do {
                _ = try AmbaASCIIPassword(bad)
                Issue.record("\(bad.count) characters accepted")
            } catch {
                #expect(!error.description.contains(bad))
                #expect(!error.description.contains("Secr"))
            }
        }
    }

    @Test func verOKIsVendorModeAndEmptyOrErrorIsStorageMode() throws {
        #expect(try AmbaASCIIReply.version(Array("@Ver;OK;V2.1#".utf8)) == .vendorMode)
        #expect(try AmbaASCIIReply.version(Array("Ver;OK".utf8) + [0, 0, 0]) == .vendorMode)
        #expect(try AmbaASCIIReply.version([]) == .storageMode)
        #expect(try AmbaASCIIReply.version([0, 0, 0x0D, 0x0A]) == .storageMode)
        #expect(try AmbaASCIIReply.version(Array("@Ver;ERROR#".utf8)) == .storageMode)
    }

    @Test func aVersionReplyThatSaysNeitherIsQuotedEscaped() {
        #expect(throws: VendorReplyError.unexpected(reply: "Ver", what: "no Ver;OK in \"@Ver;NO\\x01#\"")) {
            _ = try AmbaASCIIReply.version(Array("@Ver;NO".utf8) + [1] + Array("#".utf8))
        }
    }

    @Test func aReplyOver64BytesIsRefused() throws {
        let long = [UInt8](repeating: UInt8(ascii: "A"), count: 65)
        #expect(throws: VendorReplyError.tooLong(reply: "Ver", received: 65, limit: 64)) { _ = try AmbaASCIIReply.version(long) }
        #expect(throws: VendorReplyError.tooLong(reply: "Gdv", received: 65, limit: 64)) { _ = try AmbaASCIIReply.deviceId(long) }
        #expect(throws: VendorReplyError.tooLong(reply: "ATH", received: 65, limit: 64)) {
            _ = try AmbaASCIIReply.acknowledgement(long, command: "ATH")
        }
        // 64 exactly is a reply.
        #expect(try AmbaASCIIReply.version(Array("Ver;OK".utf8) + [UInt8](repeating: 0x20, count: 58)) == .vendorMode)
    }

    @Test func theDeviceIdIsTheFieldBeforeTheHash() throws {
        #expect(try AmbaASCIIReply.deviceId(Array("@Gdv;8;A1B2C3#".utf8)) == .deviceId(try AmbaDeviceId("A1B2C3")))
        #expect(try AmbaASCIIReply.deviceId(Array("@Gdv;OK;x;DEV-01_2#\r\n".utf8)) == .deviceId(try AmbaDeviceId("DEV-01_2")))
        #expect(try AmbaASCIIReply.deviceId(Array("@Gdv;ERROR#".utf8)) == .passwordRefused)
    }

    @Test func aDeviceIdReplyNotLaidOutAsTheFamilysIsRefused() {
        let cases: [(String, VendorReplyError)] = [
            ("", .empty(reply: "Gdv")),
            ("@Gdx;8;ABC#", .unexpected(reply: "Gdv", what: "does not begin with @Gdv;")),
            ("@Gdv;8;ABC", .unexpected(reply: "Gdv", what: "no # ends it")),
            ("@Gdv;8;ABC#junk", .unexpected(reply: "Gdv", what: "4 bytes follow the #")),
            ("@Gdv;ABC#", .unexpected(reply: "Gdv", what: "2 fields before the #, at least 3 expected")),
            ("@Gdv;8;#", .badDeviceId(problem: "empty")),
            ("@Gdv;8;../etc#", .badDeviceId(problem: "character 1 of 6 is outside A-Z a-z 0-9 - _")),
            ("@Gdv;8;AB CD#", .badDeviceId(problem: "character 3 of 5 is outside A-Z a-z 0-9 - _")),
            ("@Gdv;8;" + String(repeating: "7", count: 33) + "#", .badDeviceId(problem: "33 characters, at most 32")),
        ]
        for (reply, error) in cases {
            #expect(throws: error) { _ = try AmbaASCIIReply.deviceId(Array(reply.utf8)) }
        }
        #expect(throws: VendorReplyError.badDeviceId(problem: "character 2 of 3 is outside A-Z a-z 0-9 - _")) {
            _ = try AmbaASCIIReply.deviceId(Array("@Gdv;8;A".utf8) + [0xFF] + Array("B#".utf8))
        }
    }

    @Test func aDeviceIdErrorNeverQuotesTheReply() {
        // A hostile device puts the password it was sent in its reply.
        let reply = Array("@Gdv;12345678;12345678!#".utf8)
        do {
            _ = try AmbaASCIIReply.deviceId(reply)
            Issue.record("a hostile id accepted")
        } catch {
            #expect(!error.description.contains("12345678"))
        }
    }

    @Test func clockAndStorageAcknowledgements() throws {
        #expect(try AmbaASCIIReply.acknowledgement(Array("@Sdt;OK#".utf8), command: "Sdt") == .accepted)
        #expect(try AmbaASCIIReply.acknowledgement([], command: "ATH") == .accepted)
        #expect(try AmbaASCIIReply.acknowledgement(Array("@ATH;ERROR#".utf8), command: "ATH") == .refused)
    }

    /// A device id that gives the password back, whole or four characters of it in a row.
    @Test func anIdThatGivesThePasswordBackIsSeen() throws {
        let secret = try AmbaASCIIPassword("Zq8Wv3Lm")
        for echoed in ["Zq8Wv3Lm", "CAM-Zq8Wv3Lm-01", "Zq8W", "v3Lm", "8Wv3L"] {
            #expect(secret.isEchoed(in: echoed), "\(echoed)")
        }
        for fine in ["CAM-0042", "Zq8", "Lm", "zq8wv3lm", "Zq8Wv3Lx"] {
            #expect(!secret.isEchoed(in: fine), "\(fine)")
        }
    }
}

