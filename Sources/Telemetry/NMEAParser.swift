/// Parses an NMEA 0183 capture into typed sentences and counts everything it refuses.
///
/// Accepted input: lines ended by LF, CR LF or CR; blank lines; "#" comment lines (the test
/// captures begin with them); NUL bytes and spaces around a line (flash padding, serial idle);
/// lines longer than NMEA's 82 characters (counted in `overlongSentences`, parsed all the same);
/// a last line without a line end. Any two-character talker is accepted; proprietary sentences
/// ("$P" + manufacturer) are checked, counted by address and skipped.
///
/// Guarantees: no input makes it trap (the tests fuzz it with random bytes and mutated real
/// lines); the same bytes give the same log; a sentence is accepted only if its checksum is
/// right (or absent and `requireChecksum` is false) and every field it has is of its type's
/// form; everything else is counted by `NMEARejection.Reason`, the first few with line numbers.
/// A sentence without a checksum on the last line of an input that does not end in a line end
/// is always counted as truncated, even when checksums are optional: a cut-off line would
/// otherwise pass with a shortened coordinate.
public struct NMEAParser: Sendable {
    /// When true (the default), a sentence without "*hh" is refused as `missingChecksum`.
    public var requireChecksum: Bool

    public init(requireChecksum: Bool = true) {
        self.requireChecksum = requireChecksum
    }

    /// Parses a whole capture. Non-mutating: a capture is parsed in one go, so the parser keeps
    /// no state between calls and the same parser can be shared across tasks.
    public func parse(_ bytes: [UInt8]) -> NMEALog {
        var run = Run(requireChecksum: requireChecksum)
        var start = 0
        var index = 0
        while index < bytes.count {
            let b = bytes[index]
            if b == 0x0A || b == 0x0D {
                run.line(bytes[start..<index], terminated: true)
                if b == 0x0D && index + 1 < bytes.count && bytes[index + 1] == 0x0A { index += 1 }
                index += 1
                start = index
            } else {
                index += 1
            }
        }
        if start < bytes.count {
            run.line(bytes[start...], terminated: false)
        }
        return NMEALog(sentences: run.sentences, statistics: run.statistics)
    }

    /// NMEA's limit is 82 characters including CR LF: 80 from "$" to the checksum.
    static let maximumSentenceLength = 80

    /// The state of one `parse` call.
    private struct Run {
        let requireChecksum: Bool
        var sentences: [NMEASentence] = []
        var statistics = NMEAStatistics()
        var lineNumber = 0

        init(requireChecksum: Bool) {
            self.requireChecksum = requireChecksum
        }

        mutating func reject(_ reason: NMEARejection.Reason, _ detail: String) {
            statistics.reject(NMEARejection(line: lineNumber, reason: reason, detail: detail))
        }

        mutating func line(_ raw: ArraySlice<UInt8>, terminated: Bool) {
            lineNumber += 1
            statistics.lines += 1
            let text = trimmed(raw)
            guard let first = text.first else {
                statistics.blankLines += 1
                return
            }
            if first == UInt8(ascii: "#") {
                statistics.commentLines += 1
                return
            }
            guard let firstDollar = text.firstIndex(of: UInt8(ascii: "$")) else {
                statistics.garbageLines += 1
                reject(.garbage, "no \"$\" on the line: \(preview(text))")
                return
            }
            statistics.sentenceLines += 1
            let prefix = trimmed(text[text.startIndex..<firstDollar])
            if !prefix.isEmpty {
                statistics.garbageFragments += 1
                reject(.garbage, "\(prefix.count) bytes before the first \"$\": \(preview(prefix))")
            }
            // Each "$" starts a sentence: a second "$" on a line means the first sentence was cut
            // off (bytes lost on the serial line) or two sentences lost the line end between them.
            var segmentStart = firstDollar
            while segmentStart < text.endIndex {
                let next = text[(segmentStart + 1)...].firstIndex(of: UInt8(ascii: "$")) ?? text.endIndex
                let isLast = next == text.endIndex
                sentence(text[segmentStart..<next], complete: !isLast || terminated, endsLine: isLast)
                segmentStart = next
            }
        }

        /// One sentence, from its "$" up to the next "$" or the end of the line.
        /// `complete` is false only for the unterminated last line of the input; `endsLine` is
        /// false when another "$" follows on the same line.
        mutating func sentence(_ raw: ArraySlice<UInt8>, complete: Bool, endsLine: Bool) {
            statistics.sentencesSeen += 1
            let s = trimmed(raw)
            if s.count > NMEAParser.maximumSentenceLength {
                statistics.overlongSentences += 1
            }
            if let bad = s.firstIndex(where: { $0 < 0x20 || $0 > 0x7E }) {
                reject(.garbage, "byte 0x\(hex2(s[bad])) at offset \(bad - s.startIndex) is not printable ASCII")
                return
            }
            // Printable ASCII from here on: decoding as UTF-8 cannot fail or change the text.
            let body: ArraySlice<UInt8>
            if let star = s.lastIndex(of: UInt8(ascii: "*")) {
                body = s[(s.startIndex + 1)..<star]
                let check = s[(star + 1)...]
                if check.count < 2 && check.allSatisfy(isHexDigit) {
                    reject(.truncated, "checksum cut short: \(preview(s))")
                    return
                }
                guard check.count == 2, let stated = hexByte(check) else {
                    reject(.badChecksum, "checksum field \"\(String(decoding: check, as: UTF8.self))\" is not two hexadecimal digits")
                    return
                }
                let computed = body.reduce(0, ^)
                guard stated == computed else {
                    reject(.badChecksum, "\(address(body)): sentence says \(hex2(stated)), its bytes give \(hex2(computed))")
                    return
                }
            } else {
                body = s.dropFirst()
                if !endsLine {
                    reject(.truncated, "cut off by the next \"$\" on the line: \(preview(s))")
                    return
                }
                if !complete {
                    reject(.truncated, "last line ends without a line end or checksum: \(preview(s))")
                    return
                }
                if requireChecksum {
                    reject(.missingChecksum, "\(address(body)) has no checksum")
                    return
                }
            }
            dispatch(String(decoding: body, as: UTF8.self))
        }

        /// Routes a checksum-valid sentence body ("GPRMC,...") by its address field.
        mutating func dispatch(_ body: String) {
            let fields = body.split(separator: ",", omittingEmptySubsequences: false)
            let address = fields[0]
            let a = Array(address.utf8)
            if a.first == UInt8(ascii: "P") {
                guard a.count >= 2, a.count <= 12, a.allSatisfy({ isUpper($0) || isDigit($0) }) else {
                    reject(.garbage, "proprietary address field \"\(address.prefix(16))\" is not 2 to 12 letters and digits")
                    return
                }
                statistics.proprietaryByAddress[String(address), default: 0] += 1
                return
            }
            guard a.count == 5, let talker = NMEATalker(rawValue: String(address.prefix(2))),
                  a[2...].allSatisfy(isUpper) else {
                reject(.garbage, "address field \"\(address.prefix(16))\" is not a talker and a sentence type")
                return
            }
            guard let type = NMEASentenceType(rawValue: String(address.suffix(3))) else {
                statistics.unknownTypesByAddress[String(address), default: 0] += 1
                reject(.unknownType, "\(address) is not a type this parser decodes")
                return
            }
            do {
                let sentence = try NMEASentence.decode(type, talker: talker,
                                                       fields: NMEAFields(Array(fields.dropFirst()), sentence: String(address)))
                sentences.append(sentence)
                statistics.sentencesByType[type, default: 0] += 1
                statistics.sentencesByTalker[talker, default: 0] += 1
            } catch {
                reject(.malformedField, error.description)
            }
        }
    }
}

/// Without leading and trailing spaces, tabs and NUL bytes.
private func trimmed(_ s: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
    func blank(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x00 }
    guard let first = s.firstIndex(where: { !blank($0) }) else { return s[s.endIndex...] }
    let last = s.lastIndex(where: { !blank($0) })!
    return s[first...last]
}

/// The first 40 bytes, non-printable ones as "\xHH", for rejection details.
private func preview(_ s: ArraySlice<UInt8>) -> String {
    var out = ""
    for b in s.prefix(40) {
        if b >= 0x20 && b <= 0x7E { out.append(Character(Unicode.Scalar(b))) } else { out += "\\x" + hex2(b) }
    }
    return s.count > 40 ? "\"" + out + "\"..." : "\"" + out + "\""
}

/// The address field of a sentence body, for rejection details (at most 12 characters).
private func address(_ body: ArraySlice<UInt8>) -> String {
    String(decoding: body.prefix(while: { $0 != UInt8(ascii: ",") }).prefix(12), as: UTF8.self)
}

private func isHexDigit(_ b: UInt8) -> Bool {
    isDigit(b) || (b >= 0x41 && b <= 0x46) || (b >= 0x61 && b <= 0x66)
}

private func hexValue(_ b: UInt8) -> UInt8? {
    switch b {
    case 0x30...0x39: b - 0x30
    case 0x41...0x46: b - 0x41 + 10
    case 0x61...0x66: b - 0x61 + 10
    default: nil
    }
}

/// Two hexadecimal digits (either case) as a byte.
private func hexByte(_ s: ArraySlice<UInt8>) -> UInt8? {
    guard s.count == 2, let hi = hexValue(s[s.startIndex]), let lo = hexValue(s[s.startIndex + 1]) else { return nil }
    return hi << 4 | lo
}

func hex2(_ v: UInt8) -> String {
    let s = String(v, radix: 16, uppercase: true)
    return s.count == 1 ? "0" + s : s
}
