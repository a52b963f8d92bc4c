import RecorderHAL
import Testing

/// What a capture writes in place of the password.
@Suite struct PasswordRedactionTests {
    let redaction = PasswordRedaction(UnlockSecret("Zq8Wv3Lm"))

    func shown(_ text: String, span: Range<Int>? = nil) -> (hex: String, text: String?) {
        let bytes = Array(text.utf8)
        let marked = redaction.mask(bytes, span: span)
        return (PasswordRedaction.hex(bytes, marked), PasswordRedaction.text(bytes, marked))
    }

    @Test func theWholePasswordAndAnyFourOfItsBytesInARowAreHidden() {
        #expect(shown("@Gdv;8;Zq8Wv3Lm#").text == "@Gdv;8;<password>#")
        #expect(shown("xxZq8Wyy").text == "xx<password>yy")
        #expect(shown("..v3Lm..").text == "..<password>..")
        // Three in a row say nothing of it (and hide nothing else).
        #expect(shown("Zq8 and 8Wv").text == "Zq8 and 8Wv")
    }

    @Test func theFamilysSpanIsHiddenWhateverItHolds() {
        #expect(shown("@ATH;8;whatever;#", span: 7..<15).text == "@ATH;8;<password>;#")
        #expect(shown("@ATH;8;whatever;#", span: 7..<15).hex == "40 41 54 48 3b 38 3b <password> 3b 23")
        // A span past the end is clamped.
        #expect(shown("ab", span: 1..<9).text == "a<password>")
        // One that starts past the end marks nothing (it trapped: its clamped range ran backwards).
        #expect(shown("ab", span: 5..<9).text == "ab")
        #expect(shown("ab", span: -3..<(-1)).text == "ab")
    }

    @Test func binaryIsShownInHexOnly() {
        let bytes: [UInt8] = [0xA1, 0x55, 0x01, 0x00] + Array("Zq8Wv3L".utf8)
        let marked = redaction.mask(bytes)
        #expect(PasswordRedaction.hex(bytes, marked) == "a1 55 01 00 <password>")
        #expect(PasswordRedaction.text(bytes, marked) == nil)
    }

    @Test func aShortPasswordIsHiddenWherePresentWhole() {
        let short = PasswordRedaction(UnlockSecret("k9"))
        let bytes = Array("ak9bk".utf8)
        #expect(PasswordRedaction.text(bytes, short.mask(bytes)) == "a<password>bk")
        #expect(PasswordRedaction(nil).mask(bytes) == [false, false, false, false, false])
    }
}
