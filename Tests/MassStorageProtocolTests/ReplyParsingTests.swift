import Testing
import MassStorageProtocol

/// The replies' layouts, from byte vectors laid out as SPC-4 and SBC-3 draw them.
@Suite struct ReplyParsingTests {
    /// Fixed-format sense (SPC-4 §4.5.3): MEDIUM ERROR 11/00 "unrecovered read error" with
    /// VALID set and the failing block in INFORMATION.
    @Test func fixedFormatSenseWithInformation() throws {
        let bytes: [UInt8] = [0xF0, 0x00, 0x03, 0x00, 0x00, 0x08, 0x00, 0x0A,
                              0, 0, 0, 0, 0x11, 0x00, 0, 0, 0, 0]
        let sense = try SenseData(parsing: bytes)
        #expect(sense.senseKey == .mediumError)
        #expect(sense.asc == 0x11 && sense.ascq == 0x00)
        #expect(sense.information == 2048)
        #expect(sense.condition == .mediumError)
        #expect(!sense.descriptorFormat && !sense.deferred)
        #expect(sense.description == "MEDIUM ERROR 11/00 at 2048")
    }

    /// Without VALID the INFORMATION bytes mean nothing and are not reported.
    @Test func fixedFormatSenseWithoutValid() throws {
        let bytes: [UInt8] = [0x70, 0x00, 0x02, 0x12, 0x34, 0x56, 0x78, 0x0A,
                              0, 0, 0, 0, 0x04, 0x01, 0, 0, 0, 0]
        let sense = try SenseData(parsing: bytes)
        #expect(sense.information == nil)
        #expect(sense.condition == .becomingReady)
    }

    @Test func namedConditions() {
        let cases: [(SenseKey, UInt8, UInt8, SenseData.Condition)] = [
            (.notReady, 0x04, 0x01, .becomingReady), (.notReady, 0x3A, 0x00, .mediumNotPresent),
            (.notReady, 0x3A, 0x02, .mediumNotPresent), (.notReady, 0x04, 0x02, .notReady),
            (.unitAttention, 0x28, 0x00, .mediumMayHaveChanged), (.unitAttention, 0x29, 0x00, .resetOccurred),
            (.unitAttention, 0x2A, 0x01, .unitAttention), (.mediumError, 0x11, 0x00, .mediumError),
            (.illegalRequest, 0x20, 0x00, .illegalRequest), (.noSense, 0, 0, .noError),
            (.hardwareError, 0x44, 0, .other),
        ]
        for (key, asc, ascq, condition) in cases {
            #expect(SenseData(senseKey: key, asc: asc, ascq: ascq).condition == condition)
        }
    }

    /// Descriptor-format sense (SPC-4 §4.5.2) with an INFORMATION descriptor (type 0) after an
    /// unrelated one, which is skipped by its length.
    @Test func descriptorFormatSense() throws {
        let bytes: [UInt8] = [0x72, 0x06, 0x29, 0x00, 0, 0, 0, 0x14,
                              0x02, 0x06, 0, 0, 0, 0, 0, 0,                       // sense key specific (type 2)
                              0x00, 0x0A, 0x80, 0x00, 0, 0, 0, 1, 0, 0, 0, 2]     // INFORMATION = 2^32 + 2
        let sense = try SenseData(parsing: bytes)
        #expect(sense.descriptorFormat)
        #expect(sense.senseKey == .unitAttention && sense.condition == .resetOccurred)
        #expect(sense.information == 0x1_0000_0002)
    }

    /// A descriptor whose length runs past the additional length (here by one byte) is not read.
    @Test func descriptorPastTheEndIsIgnored() throws {
        let bytes: [UInt8] = [0x72, 0x03, 0x11, 0x00, 0, 0, 0, 0x0B,
                              0x00, 0x0A, 0x80, 0x00, 0, 0, 0, 0, 0, 0, 0, 9]
        #expect(try SenseData(parsing: bytes).information == nil)
    }

    @Test func shortOrUnknownSenseIsRefusedByName() {
        #expect(throws: SCSIReplyError.short(reply: "REQUEST SENSE", field: "ASC and ASCQ (fixed format)", received: 12, needed: 14)) {
            try SenseData(parsing: [0x70, 0, 0x02, 0, 0, 0, 0, 0x0A, 0, 0, 0, 0])
        }
        #expect(throws: SCSIReplyError.short(reply: "REQUEST SENSE", field: "ADDITIONAL SENSE LENGTH 4 (ASC and ASCQ)", received: 12, needed: 14)) {
            try SenseData(parsing: [0x70, 0, 0x02, 0, 0, 0, 0, 0x04, 0, 0, 0, 0, 0x04, 0x01, 0, 0, 0, 0])
        }
        #expect(throws: SCSIReplyError.short(reply: "REQUEST SENSE", field: "RESPONSE CODE", received: 0, needed: 1)) {
            try SenseData(parsing: [])
        }
        #expect(throws: SCSIReplyError.short(reply: "REQUEST SENSE", field: "header (descriptor format)", received: 5, needed: 8)) {
            try SenseData(parsing: [0x72, 0x06, 0x28, 0, 0])
        }
        #expect(throws: SCSIReplyError.unknownFormat(reply: "REQUEST SENSE", what: "response code 0x7f")) {
            try SenseData(parsing: [UInt8](repeating: 0x7F, count: 18))
        }
    }

    /// Standard INQUIRY data (SPC-4 §6.4.2): removable direct-access device, space-padded
    /// identification fields.
    @Test func inquiryFieldsAreTrimmedASCII() throws {
        var bytes: [UInt8] = [0x00, 0x80, 0x06, 0x02, 0x1F, 0, 0, 0]
        bytes += Array("Ambarel ".utf8) + Array("BodyCam DSJ-A9  ".utf8) + Array("1.0 ".utf8)
        bytes += [UInt8](repeating: 0, count: 60)   // vendor-specific and version descriptors: ignored
        let inquiry = try InquiryData(parsing: bytes)
        #expect(inquiry.peripheralType == 0 && inquiry.peripheralQualifier == 0)
        #expect(inquiry.removable && inquiry.isBlockDevice)
        #expect(inquiry.version == 6)
        #expect(inquiry.vendor == "Ambarel")
        #expect(inquiry.product == "BodyCam DSJ-A9")
        #expect(inquiry.revision == "1.0")
    }

    /// Bytes outside printable ASCII cannot reach a record; NUL padding trims like spaces.
    @Test func inquiryNonASCIIIsReplaced() throws {
        var bytes: [UInt8] = [0x05, 0x00, 0, 0, 0x1F, 0, 0, 0]
        bytes += [0x41, 0xE6, 0x89, 0x0A, 0x42, 0, 0, 0] + [UInt8](repeating: 0x20, count: 16) + [0, 0, 0, 0]
        let inquiry = try InquiryData(parsing: bytes)
        #expect(inquiry.vendor == "A???B")
        #expect(inquiry.product == "" && inquiry.revision == "")
        #expect(!inquiry.isBlockDevice)   // 0x05: CD/DVD
        #expect(!inquiry.removable)
    }

    @Test func shortInquiryNamesWhatIsMissing() {
        #expect(throws: SCSIReplyError.short(reply: "INQUIRY", field: "vendor, product and revision (bytes 8...35)", received: 20, needed: 36)) {
            try InquiryData(parsing: [UInt8](repeating: 0x20, count: 20))
        }
    }

    /// READ CAPACITY(10) parameter data (SBC-3 §5.15.2): big-endian last LBA and block length.
    @Test func readCapacity10() throws {
        let capacity = try #require(try ReadCapacity10.parse([0x00, 0xEE, 0xFF, 0xFF, 0x00, 0x00, 0x02, 0x00]))
        #expect(capacity.lastBlock == 0x00EE_FFFF && capacity.blockLength == 512)
        #expect(capacity.blockCount == 0x00EF_0000)
        #expect(capacity.byteCount == 0x00EF_0000 * 512)
        // 0xFFFFFFFF: ask READ CAPACITY(16).
        #expect(try ReadCapacity10.parse([0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x02, 0x00]) == nil)
        #expect(throws: SCSIReplyError.short(reply: "READ CAPACITY(10)", field: "last block address and block length", received: 7, needed: 8)) {
            try ReadCapacity10.parse([0, 0, 0, 1, 0, 0, 2])
        }
    }

    /// READ CAPACITY(16) parameter data (SBC-3 §5.16.2): 8-byte last LBA, 4-byte block length,
    /// protection and exponent fields not read.
    @Test func readCapacity16() throws {
        var bytes: [UInt8] = [0, 0, 0, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x03]
        bytes += [UInt8](repeating: 0, count: 18)
        let capacity = try ReadCapacity16.parse(bytes)
        #expect(capacity.lastBlock == 0x1_0000_0000 && capacity.blockLength == 4096)
        #expect(capacity.blockCount == 0x1_0000_0001)
        #expect(throws: SCSIReplyError.short(reply: "READ CAPACITY(16)", field: "last block address and block length", received: 11, needed: 12)) {
            try ReadCapacity16.parse(Array(bytes.prefix(11)))
        }
    }

    /// Only powers of two from 512 to 65536 bytes are accepted, and the medium's bytes must fit
    /// in 64 bits.
    @Test func blockLengthsAndSizesAreBounded() throws {
        for length: UInt32 in [512, 1024, 2048, 4096, 65_536] {
            #expect(try Capacity(lastBlock: 10, blockLength: length, reply: "t").blockLength == length)
        }
        for length: UInt32 in [0, 1, 256, 520, 1000, 3072, 131_072, 0xFFFF_FFFF] {
            #expect(throws: SCSIReplyError.refused(reply: "t", what: "block length \(length) is not a power of two in 512...65536")) {
                try Capacity(lastBlock: 10, blockLength: length, reply: "t")
            }
        }
        #expect(throws: SCSIReplyError.self) { try Capacity(lastBlock: .max, blockLength: 512, reply: "t") }
        #expect(throws: SCSIReplyError.self) { try Capacity(lastBlock: 1 << 55, blockLength: 512, reply: "t") }
        #expect(throws: SCSIReplyError.refused(reply: "READ CAPACITY(10)", what: "block length 520 is not a power of two in 512...65536")) {
            try ReadCapacity10.parse([0, 0, 0x10, 0, 0, 0, 0x02, 0x08])
        }
    }

    /// MODE SENSE(6) header (SPC-4 §7.5.5): WP is bit 7 of the device-specific parameter.
    @Test func modeSenseWriteProtectBit() throws {
        #expect(try ModeParameterHeader6(parsing: [0x03, 0x00, 0x80, 0x00]).writeProtected)
        #expect(try !ModeParameterHeader6(parsing: [0x0B, 0x00, 0x10, 0x08, 0, 0, 0, 0, 0, 0, 2, 0]).writeProtected)
        #expect(throws: SCSIReplyError.short(reply: "MODE SENSE(6)", field: "mode parameter header", received: 3, needed: 4)) {
            try ModeParameterHeader6(parsing: [0x03, 0x00, 0x80])
        }
    }

    @Test func commandsNameThemselves() {
        #expect(SCSICommand.read10(lba: 2048, blocks: 2048, blockLength: 512).description == "READ(10) lba 2048 ×2048")
        #expect(SCSICommand.read16(lba: 1 << 32, blocks: 8, blockLength: 4096).description == "READ(16) lba 4294967296 ×8")
        #expect(SCSICommand.testUnitReady.description == "TEST UNIT READY")
    }
}
