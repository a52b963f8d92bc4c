import Testing
@testable import Volumes

/// Name and time-stamp decoding that mtools cannot produce (characters outside the BMP,
/// unpaired surrogates, impossible dates), built from the on-disk layout in Microsoft's FAT
/// specification (fatgen103, "FAT Long Directory Entries").
@Suite struct FATNameTests {
    /// Long-name entries for `units` (already split into 13-unit parts, last part first, as a
    /// directory holds them) belonging to the 8.3 name `short`.
    static func longNameEntries(_ units: [UInt16], short: [UInt8]) -> [[UInt8]] {
        var padded = units
        if padded.count % 13 != 0 { padded.append(0) }
        while padded.count % 13 != 0 { padded.append(0xFFFF) }
        let parts = padded.count / 13
        let sum = FATName.checksum(short[...])
        return (1 ... parts).reversed().map { part in
            var entry = [UInt8](repeating: 0, count: 32)
            entry[0] = UInt8(part) | (part == parts ? 0x40 : 0)
            entry[11] = 0x0F
            entry[13] = sum
            let chunk = padded[(part - 1) * 13 ..< part * 13]
            let offsets = Array(stride(from: 1, to: 11, by: 2)) + Array(stride(from: 14, to: 26, by: 2)) + [28, 30]
            for (offset, unit) in zip(offsets, chunk) {
                entry[offset] = UInt8(unit & 0xFF)
                entry[offset + 1] = UInt8(unit >> 8)
            }
            return entry
        }
    }

    static let short = Array("VIDEO~1 MP4".utf8)

    func assemble(_ entries: [[UInt8]], short: [UInt8] = FATNameTests.short) -> FATLongName.Outcome {
        var name = FATLongName()
        for entry in entries { name.take(entry[...]) }
        return name.finish(shortName: short[...])
    }

    @Test func surrogatePairsAcrossAPartBoundary() {
        // 12 CJK units then a camera emoji (a surrogate pair) split across the two parts.
        let text = "执法记录仪执法记录仪执法🎥录像.mp4"
        guard case .name(let name, let unpaired) = assemble(Self.longNameEntries(Array(text.utf16), short: Self.short)) else {
            Issue.record("not assembled")
            return
        }
        #expect(name == text && unpaired == 0)
    }

    @Test func unpairedSurrogateBecomesReplacement() {
        let units: [UInt16] = [0x0061, 0xD83C, 0x0062]
        guard case .name(let name, let unpaired) = assemble(Self.longNameEntries(units, short: Self.short)) else {
            Issue.record("not assembled")
            return
        }
        #expect(name == "a\u{FFFD}b" && unpaired == 1)
    }

    @Test func brokenSequencesAreRefused() {
        let entries = Self.longNameEntries(Array("a name long enough for two parts".utf16), short: Self.short)
        #expect(entries.count == 3)
        // A part missing.
        if case .name = assemble([entries[0], entries[2]]) { Issue.record("gap accepted") }
        // Another 8.3 entry's checksum.
        if case .name = assemble(entries, short: Array("OTHER   MP4".utf8)) { Issue.record("checksum ignored") }
        // A name that would add a path component.
        if case .name = assemble(Self.longNameEntries(Array("../x".utf16), short: Self.short)) { Issue.record("slash accepted") }
        // Entries in order, complete: accepted.
        if case .name(let name, _) = assemble(entries) { #expect(name == "a name long enough for two parts") }
        else { Issue.record("good name refused") }
        // Hostile order bytes never index outside the name.
        var hostile = entries
        hostile[1][0] = 0x00
        hostile[2][0] = 0x1F
        if case .name = assemble(hostile) { Issue.record("bad sequence numbers accepted") }
    }

    @Test func shortNamesWithCaseFlagsAndKanjiEscape() {
        #expect(FATName.shortName(Array("README  TXT".utf8)[...], caseFlags: 0x08).text == "readme.TXT")
        #expect(FATName.shortName(Array("README  TXT".utf8)[...], caseFlags: 0x18).text == "readme.txt")
        #expect(FATName.shortName(Array("MAKEFILE   ".utf8)[...], caseFlags: 0).text == "MAKEFILE")
        // 0x05 stands for a first byte 0xE5 (σ in code page 437).
        #expect(FATName.shortName([0x05] + Array("ABC    TXT".utf8)[...], caseFlags: 0).text == "σABC.TXT")
        #expect(FATName.shortName(Array("A/B     TXT".utf8)[...], caseFlags: 0).text == "A\u{FFFD}B.TXT")
    }

    /// GBK (cp936) 8.3 names, the bytes from Python's own GBK codec ("视频".encode("gbk") and so
    /// on), not from the decoder under test.
    @Test func gbkShortNames() {
        let video: [UInt8] = [0xCA, 0xD3, 0xC6, 0xB5, 0x20, 0x20, 0x20, 0x20] + Array("MP4".utf8)
        var d = FATName.shortName(video[...], caseFlags: 0, codePage: .cp936)
        #expect(d.text == "视频.MP4" && !d.notInCodePage)
        // The same bytes in code page 437, as before and as Linux shows them by default.
        #expect(FATName.shortName(video[...], caseFlags: 0).text == "╩╙╞╡.MP4")
        // 乗 is 81 5C: the 0x5C is half of the character, not a separator.
        let backslashTrail: [UInt8] = [0x81, 0x5C, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20] + Array("TXT".utf8)
        d = FATName.shortName(backslashTrail[...], caseFlags: 0, codePage: .cp936)
        #expect(d.text == "乗.TXT" && !d.notInCodePage)
        // 0x05 stands for a first byte 0xE5, a GBK lead byte: 05 B5 is E5 B5, "宓".
        d = FATName.shortName([0x05, 0xB5, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20] + Array("JPG".utf8)[...], caseFlags: 0, codePage: .cp936)
        #expect(d.text == "宓.JPG" && !d.notInCodePage)
        // A lead byte with no trail byte is not GBK: shown in cp437, and said so.
        d = FATName.shortName([0x41, 0xCA, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20] + Array("MP4".utf8)[...], caseFlags: 0, codePage: .cp936)
        #expect(d.text == "A╩.MP4" && d.notInCodePage)
        // Plain ASCII is the same in every code page, and the case flags still apply.
        #expect(FATName.shortName(Array("README  TXT".utf8)[...], caseFlags: 0x08, codePage: .cp936).text == "readme.TXT")
        // Labels too: "执法" is D6 B4 B7 A8.
        #expect(FATName.label([0xD6, 0xB4, 0xB7, 0xA8, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20], codePage: .cp936) == "执法")
    }

    @Test func timestamps() {
        // 2024-01-01 13:45:30 plus 1.50 s from the 10-ms byte.
        guard case .valid(let stamp) = FATTimestamp.decode(date: 44 << 9 | 1 << 5 | 1, time: 13 << 11 | 45 << 5 | 15, hundredths: 150) else {
            Issue.record("valid stamp refused")
            return
        }
        #expect(stamp == VolumeTimestamp(year: 2024, month: 1, day: 1, hour: 13, minute: 45, second: 31, millisecond: 500))
        if case .invalid = FATTimestamp.decode(date: 44 << 9 | 2 << 5 | 30, time: 0) {} else { Issue.record("30 February accepted") }
        if case .invalid = FATTimestamp.decode(date: 44 << 9 | 13 << 5 | 1, time: 0) {} else { Issue.record("month 13 accepted") }
        if case .invalid = FATTimestamp.decode(date: 44 << 9 | 1 << 5 | 1, time: 24 << 11) {} else { Issue.record("hour 24 accepted") }
        if case .unset = FATTimestamp.decode(date: 0, time: 0) {} else { Issue.record("zero is not unset") }
        if case .valid(let leap) = FATTimestamp.decode(date: 44 << 9 | 2 << 5 | 29, time: 0) { #expect(leap.day == 29) }
        else { Issue.record("29 February 2024 refused") }
    }
}
