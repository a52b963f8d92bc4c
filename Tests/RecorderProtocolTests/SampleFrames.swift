import RecorderProtocol

/// The frames whose bytes Docs/protocol.md gives as golden vectors, by vector name. The values
/// here and the ones listed in the spec are the same; Tools/protocol-vectors.py derives the
/// bytes independently.
enum SampleFrames {
    static let nonce = (0..<32).map { UInt8($0) }
    /// HMAC-SHA256(key "000000", nonce 00..1F), as the spec's vector states.
    static let sha = [UInt8](repeating: 0xAB, count: 32)

    static let entry = CatalogEntry(id: 1, kind: .video, important: false, sequence: 1, size: 50_331_648,
                                    startMilliseconds: 1_795_738_502_000, endMilliseconds: 1_795_738_982_000,
                                    deviceSHA256: sha, path: Array("DCIM/100MEDIA/20261126_081502_0001.MP4".utf8))

    static func all(authMAC: [UInt8]) -> [(String, Frame)] {
        [
            ("hello-request", .request(HelloRequest(maxPayload: 4_198_400, hostName: "kiosk-01"), tag: 1)),
            ("hello-reply", .reply(HelloReply(maxPayload: 1_052_672, maxInFlight: 8, capabilities: Capabilities(rawValue: 0x3F)), tag: 1)),
            ("identity-request", .request(IdentityRequest(), tag: 2)),
            ("identity-reply", .reply(IdentityReply(serial: "A100001", model: "DSJ-SIM1", firmware: "2.4.1",
                                                    officerNumber: "010001", officerName: "张伟", unitNumber: "110105000000",
                                                    unitName: "示范市公安局交通警察支队", hardwareId: "SIM-0001"), tag: 2)),
            ("auth-challenge-request", .request(AuthChallengeRequest(), tag: 3)),
            ("auth-challenge-reply", .reply(AuthChallengeReply(nonce: nonce), tag: 3)),
            ("auth-response-request", .request(AuthResponseRequest(mac: authMAC), tag: 4)),
            ("auth-response-reply", .reply(AuthResponseReply(), tag: 4)),
            ("auth-response-password-wrong", .failure(.authResponse, tag: 4, status: .passwordWrong, detail: ErrorDetail(value: 4))),
            ("auth-response-locked-out", .failure(.authResponse, tag: 4, status: .lockedOut,
                                                  detail: ErrorDetail(value: 300, message: "too many wrong passwords"))),
            ("clock-get-request", .request(ClockGetRequest(), tag: 5)),
            ("clock-get-reply", .reply(ClockGetReply(time: DeviceTime(utcMilliseconds: 1_795_738_502_123, zoneOffsetMinutes: 480)), tag: 5)),
            ("clock-set-request", .request(ClockSetRequest(time: DeviceTime(utcMilliseconds: 1_795_738_560_000, zoneOffsetMinutes: 480)), tag: 6)),
            ("clock-set-reply", .reply(ClockSetReply(), tag: 6)),
            ("status-request", .request(StatusRequest(), tag: 7)),
            ("status-reply", .reply(StatusReply(battery: 76, charging: true, recording: false, storageTotal: 64_000_000_000,
                                                storageFree: 63_711_409_152, temperatureDeciCelsius: 315), tag: 7)),
            ("catalog-request", .request(CatalogRequest(cursor: 0, maxEntries: 256), tag: 8)),
            ("catalog-reply", .reply(CatalogPage(nextCursor: CatalogPage.end, entries: [entry]), tag: 8)),
            ("read-request", .request(ReadRequest(id: 1, offset: 1_048_576, length: 16), tag: 9)),
            ("read-reply", .reply(ReadReply(id: 1, offset: 1_048_576, data: ArraySlice((0..<16).map { UInt8($0) })), tag: 9)),
            ("read-range-invalid", .failure(.read, tag: 9, status: .rangeInvalid, detail: ErrorDetail(message: "offset past end"))),
            ("release-request", .request(ReleaseRequest(id: 1, sha256: sha), tag: 10)),
            ("release-reply", .reply(ReleaseReply(), tag: 10)),
            ("release-hash-mismatch", .failure(.release, tag: 10, status: .hashMismatch,
                                               detail: ErrorDetail(message: "sha256 differs from the device's"))),
        ]
    }
}
