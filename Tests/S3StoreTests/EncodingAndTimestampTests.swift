import Foundation
@testable import S3Store
import Testing

@Suite struct URIEncodingTests {
    @Test func unreservedCharactersStayAndEverythingElseIsEncodedInUpperCaseHex() {
        #expect(URIEncoding.encode("AZaz09-._~") == "AZaz09-._~")
        #expect(URIEncoding.encode("a b+c/d=e&f$g%h") == "a%20b%2Bc%2Fd%3De%26f%24g%25h")
        #expect(URIEncoding.encode("é执") == "%C3%A9%E6%89%A7")
    }

    /// S3's canonical URI: each segment encoded once, slashes kept, nothing normalised.
    @Test func pathsKeepSlashesEmptySegmentsAndDotSegments() {
        #expect(URIEncoding.encodePath("/bucket/2026/clip 01.mp4") == "/bucket/2026/clip%2001.mp4")
        #expect(URIEncoding.encodePath("/b/a//c/../d/") == "/b/a//c/../d/")
        #expect(URIEncoding.encodePath("key") == "/key")
        #expect(URIEncoding.encodePath("") == "/")
        // An already-encoded name is encoded again: the key really contains "%20".
        #expect(URIEncoding.encodePath("/b/x%20y") == "/b/x%2520y")
    }

    /// In the query `/` becomes %2F (unlike the path), and sorting uses the encoded forms.
    @Test func canonicalQuerySortsEncodedNamesThenValues() {
        let query = URIEncoding.canonicalQuery([("versionId", "a/b"), ("uploads", ""), ("a", "2"), ("a", "10")])
        #expect(query == "a=10&a=2&uploads=&versionId=a%2Fb")
    }
}

@Suite struct S3TimestampTests {
    @Test func amzDateDropsTheFraction() {
        #expect(S3Timestamp.amzDate(Date(timeIntervalSince1970: 1_440_938_160.999)) == "20150830T123600Z")
        #expect(S3Timestamp.amzDate(Date(timeIntervalSince1970: 0)) == "19700101T000000Z")
    }

    /// A retention date is never written earlier than asked.
    @Test func iso8601RoundsUpToTheSecond() {
        #expect(S3Timestamp.iso8601(roundingUp: Date(timeIntervalSince1970: 1_440_938_160)) == "2015-08-30T12:36:00Z")
        #expect(S3Timestamp.iso8601(roundingUp: Date(timeIntervalSince1970: 1_440_938_160.001)) == "2015-08-30T12:36:01Z")
        #expect(S3Timestamp.iso8601(roundingUp: Date(timeIntervalSince1970: 4_102_444_799.5)) == "2100-01-01T00:00:00Z")
    }

    @Test func parsesTheFormsServersWrite() throws {
        let base = Date(timeIntervalSince1970: 1_795_864_262)  // 2026-11-28T11:11:02Z
        #expect(S3Timestamp.parseISO8601("2026-11-28T11:11:02Z") == base)
        #expect(S3Timestamp.parseISO8601("2026-11-28T11:11:02.000Z") == base)
        #expect(S3Timestamp.parseISO8601("2026-11-28T11:11:02+00:00") == base)
        let fractional = try #require(S3Timestamp.parseISO8601("2026-11-28T11:11:02.250Z"))
        #expect(abs(fractional.timeIntervalSince(base) - 0.25) < 1e-6)
        #expect(S3Timestamp.parseISO8601(S3Timestamp.iso8601(roundingUp: base)) == base)
    }

    @Test(arguments: ["", "2026-11-28", "2026-11-28T11:11:02", "2026-11-28T11:11:02+01:00", "2026-02-30T00:00:00Z",
                      "2026-13-01T00:00:00Z", "2026-11-28 11:11:02Z", "2026-11-28T11:11:02.Z", "2026-1a-28T11:11:02Z"])
    func refusesAnythingElse(_ text: String) {
        #expect(S3Timestamp.parseISO8601(text) == nil)
    }
}
