import Foundation
import TestSupport
import Testing
@testable import Volumes

/// The small decoders, on values whose meaning the specification fixes.
@Suite struct BootSectorAndFieldTests {
    /// exFAT's boot sector is recognised; a FAT32 one made by mkfs.vfat and a short sector are not.
    @Test func onlyAnExFATBootSectorIsRecognised() throws {
        try withTemporaryDirectory("exfat-recognise") { directory in
            let fat = directory.appendingPathComponent("fat.img").path
            #expect(try run("/usr/bin/truncate", ["-s", "40M", fat]).status == 0)
            #expect(try run("/usr/sbin/mkfs.vfat", ["-F", "32", fat]).status == 0)
            let fatSector = Array(try Data(contentsOf: URL(fileURLWithPath: fat)).prefix(512))
            #expect(!ExFATVolume.recognises(fatSector))
            #expect(!ExFATVolume.recognises(Array("\u{EB}v\u{90}EXFAT".utf8)))

            let exfat = directory.appendingPathComponent("exfat.img").path
            #expect(try run("/usr/bin/truncate", ["-s", "8M", exfat]).status == 0)
            #expect(try run("/usr/sbin/mkfs.exfat", [exfat]).status == 0)
            let exfatSector = Array(try Data(contentsOf: URL(fileURLWithPath: exfat)).prefix(512))
            #expect(ExFATVolume.recognises(exfatSector))
        }
    }

    /// UtcOffset: bit 7 valid, bits 0–6 a signed count of 15 minutes; the 10 ms increment adds
    /// up to 1.99 s; impossible dates are nil.
    @Test func timestampsDecodeOffsetIncrementAndRejectNonsense() {
        // 2026-12-06 08:30:14 (seconds/2 = 7)
        let raw: UInt32 = UInt32(2026 - 1980) << 25 | 12 << 21 | 6 << 16 | 8 << 11 | 30 << 5 | 7
        let east = ExFATTimestamp.decode(raw, increment: 155, utcOffset: 0x80 | 32)
        #expect(east == VolumeTimestamp(year: 2026, month: 12, day: 6, hour: 8, minute: 30, second: 15,
                                        millisecond: 550, utcOffsetMinutes: 480))
        #expect(ExFATTimestamp.decode(raw, increment: 0, utcOffset: 0x80 | 0x70)?.utcOffsetMinutes == -240)
        #expect(ExFATTimestamp.decode(raw, increment: 0, utcOffset: 0x20)?.utcOffsetMinutes == nil)
        #expect(ExFATTimestamp.decode(raw, increment: 250, utcOffset: 0)?.second == 14)
        #expect(ExFATTimestamp.decode(0, increment: 0, utcOffset: 0x80) == nil)
        let february30: UInt32 = UInt32(2025 - 1980) << 25 | 2 << 21 | 30 << 16
        #expect(ExFATTimestamp.decode(february30, increment: 0, utcOffset: 0) == nil)
    }

    /// The up-case table's compressed form (0xFFFF, count: identity) expands as the
    /// specification's example does, and the name hash folds case through it.
    @Test func upcaseTableExpandsIdentityRunsAndHashesFoldCase() {
        // a…z map to A…Z, 0x00…0x60 identity, the rest identity by default.
        var stored: [UInt8] = [0xFF, 0xFF, 0x61, 0x00]
        for letter in UInt16(0x41)...0x5A { stored += [UInt8(letter & 0xFF), UInt8(letter >> 8)] }
        let table = ExFATUpcaseTable(stored: stored)
        #expect(table.upcase(0x61) == 0x41 && table.upcase(0x7A) == 0x5A)
        #expect(table.upcase(0x30) == 0x30 && table.upcase(0x4E00) == 0x4E00)
        #expect(table.nameHash(Array("readme.txt".utf16)) == table.nameHash(Array("README.TXT".utf16)))
        #expect(table.nameHash(Array("README.TXT".utf16)) != table.nameHash(Array("README.TXU".utf16)))
    }
}
