@testable import RecorderSimulator
import Testing

/// How a replay matches a request against a captured one written with `<password>` runs.
@Suite struct CaptureMatchTests {
    typealias T = VendorCaptureScript.Token

    @Test func aRunStandsForOneByteOrMoreWhateverTheyAre() {
        let tokens: [T] = [.byte(0xA1), .password, .byte(0x00)]
        #expect(VendorCaptureScript.matches(tokens, [0xA1, 0x55, 0x00]))
        #expect(VendorCaptureScript.matches(tokens, [0xA1, 0x00, 0x00, 0x00]))
        #expect(!VendorCaptureScript.matches(tokens, [0xA1, 0x00]))            // a run is never empty
        #expect(!VendorCaptureScript.matches(tokens, [0xA2, 0x55, 0x00]))      // outside it, byte for byte
        #expect(!VendorCaptureScript.matches(tokens, [0xA1, 0x55, 0x00, 0x01]))
        #expect(VendorCaptureScript.matches([.password], [1]) && !VendorCaptureScript.matches([.password], []))
        #expect(VendorCaptureScript.matches([], []) && !VendorCaptureScript.matches([], [1]))
    }

    /// A hand-made capture of many runs, each next to a 00, against 64 bytes it does not match:
    /// answered (no), where trying each run's length in turn took time exponential in the runs.
    @Test func manyRunsAreMatchedInOnePassPerToken() {
        let tokens = Array(repeating: [T.password, .byte(0x00)], count: 24).flatMap { $0 } + [.byte(0x7F)]
        #expect(!VendorCaptureScript.matches(tokens, [UInt8](repeating: 0x00, count: 64)))
        #expect(VendorCaptureScript.matches(tokens, [UInt8](repeating: 0x00, count: 63) + [0x7F]))
    }
}
