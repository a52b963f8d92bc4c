import Control
import Foundation
import RecorderHAL
import Testing

/// `recorderctl diagnose` on a bay whose last dock was a vendor recorder's dance: the checks
/// walk the dance in order, the first FAIL is the step that failed, and what follows it says
/// "not reached".
@Suite struct DanceDiagnosisTests {
    static let login = "login: control OUT 40/55 wValue 0080 wIndex 0000 × 64"
    static let diskMode = "disk mode: control OUT 40/56 wValue 0000 wIndex 0000 × 0"

    /// The facts of an amba-ctrl dance on 1-1.2 whose unlock sent `steps` and ended `unlock`,
    /// and whose dance ended `code` (its words `words`).
    static func facts(_ steps: [UnlockStep], _ unlock: UnlockOutcome?, code: String, words: String,
                      after: Int64? = nil, otherPort: String? = nil) -> DockDiagnostics {
        var dance = DanceDiagnostics(family: "amba-ctrl", port: "1-1.2", returnWaitMilliseconds: 120_000)
        if let unlock {
            var report = UnlockReport(family: "amba-ctrl", clock: .notReached, outcome: unlock)
            report.steps = steps
            dance.record(report)
        }
        dance.outcomeCode = code
        dance.outcomeWords = words
        dance.returnedAfterMilliseconds = after
        dance.returnedOnPort = otherPort
        var d = DockDiagnostics()
        d.dance = dance
        return d
    }

    static let switched = [UnlockStep(command: login, carriedPassword: true, answer: "accepted"),
                           UnlockStep(command: diskMode, carriedPassword: false, answer: "accepted")]

    static func names(_ checks: [Diagnosis.Check]) -> [String] { checks.map(\.name) }
    static func firstFail(_ checks: [Diagnosis.Check]) -> Diagnosis.Check? { checks.first { $0.verdict == .fail } }

    @Test func aReturnWalksTheDanceThenTheDiskItWasReadAs() {
        var d = Self.facts(Self.switched, .switching, code: "returned", words: "came back as mass storage on the same port after 1.250 s", after: 1250)
        d.link = "usb 1-1.2 (high speed)"
        d.driver = "mass-storage"
        d.authenticated = true
        let checks = Diagnosis.evaluate(d, clockOffsetMs: 400)
        #expect(Self.names(checks) == ["vendor device", "unlock 1/1", "storage switch", "return as mass storage",
                                       "enumeration", "clock drift", "read throughput", "transfer errors"])
        #expect(!checks.contains { $0.verdict == .fail })
        #expect(checks[1].detail == "\(Self.login) (carries the password): accepted")
        #expect(checks[2].detail == "\(Self.diskMode): accepted")
        #expect(checks[3].verdict == .pass && checks[3].detail.contains("1-1.2") && checks[3].detail.contains("1.250 s"))
        #expect(checks[4].detail.contains("mass-storage"))
    }

    @Test func aRefusedPasswordFailsItsStepWithTheDevicesAnswer() throws {
        let checks = Diagnosis.evaluate(Self.facts([UnlockStep(command: Self.login, carriedPassword: true, answer: "refused (status 0)")],
                                                   .passwordRefused, code: "password-refused", words: "the recorder refused the password"),
                                        clockOffsetMs: nil)
        #expect(Self.names(checks) == ["vendor device", "unlock 1/1", "storage switch", "return as mass storage", "disk read"])
        let failed = try #require(Self.firstFail(checks))
        #expect(failed.name == "unlock 1/1" && failed.detail.hasSuffix(": refused (status 0)"))
        #expect(failed.hint.contains("vendor-password-file") && failed.hint.contains("recorderctl refusals --clear RECORDER"))
        #expect(checks[2...].allSatisfy { $0.verdict == .warn && $0.detail == "not reached" })
    }

    /// Withheld (refused at an earlier dock) and unconfirmed (the answer to it was lost) are
    /// refusals too: the same hint.
    @Test(arguments: [("password-withheld", nil as UnlockOutcome?, [UnlockStep]()),
                      ("password-unconfirmed", .failed(RecorderError(.cancelled)),
                       [UnlockStep(command: login, carriedPassword: true, answer: "no usable result: timed out")])])
    func otherRefusalsSayHowToClearThem(code: String, unlock: UnlockOutcome?, steps: [UnlockStep]) throws {
        let checks = Diagnosis.evaluate(Self.facts(steps, unlock, code: code, words: "words of \(code)"), clockOffsetMs: nil)
        let failed = try #require(Self.firstFail(checks))
        #expect(failed.name.hasPrefix("unlock"))
        #expect(failed.hint.contains("recorderctl refusals --clear RECORDER"))
        #expect(checks.last?.name == "disk read" && checks.last?.detail == "not reached")
    }

    @Test func neverComingBackFailsTheReturnAndNamesTheWait() throws {
        let checks = Diagnosis.evaluate(Self.facts(Self.switched, .switching, code: "never-came-back",
                                                   words: "did not come back as mass storage within 120.000 s", after: 120_000),
                                        clockOffsetMs: nil)
        let failed = try #require(Self.firstFail(checks))
        #expect(failed.name == "return as mass storage" && failed.detail.contains("within 120.000 s"))
        #expect(failed.hint.contains("cable") && failed.hint.contains("hub") && failed.hint.contains("storage-return-wait, now 120.000 s"))
        #expect(checks.prefix(3).allSatisfy { $0.verdict == .pass })
        #expect(checks.last?.name == "disk read" && checks.last?.verdict == .warn && checks.last?.detail == "not reached")
    }

    @Test func comingBackElsewhereFailsTheReturnAndNamesTheOtherPort() throws {
        let checks = Diagnosis.evaluate(Self.facts(Self.switched, .switching, code: "came-back-elsewhere",
                                                   words: "came back as mass storage on port 1-1.7, not on 1-1.2 where it was unlocked, after 0.800 s; not read",
                                                   after: 800, otherPort: "1-1.7"),
                                        clockOffsetMs: nil)
        let failed = try #require(Self.firstFail(checks))
        #expect(failed.name == "return as mass storage" && failed.detail.contains("1-1.7"))
        #expect(failed.hint.contains("port 1-1.7"))
        #expect(checks.filter { $0.verdict == .fail }.count == 1)
    }

    @Test func aRefusedSwitchFailsTheStorageSwitch() throws {
        let steps = [UnlockStep(command: Self.login, carriedPassword: true, answer: "accepted"),
                     UnlockStep(command: Self.diskMode, carriedPassword: false, answer: "refused (status 0)")]
        let checks = Diagnosis.evaluate(Self.facts(steps, .storageSwitchRefused, code: "disk-mode-refused", words: "the recorder refused the switch to storage mode"),
                                        clockOffsetMs: nil)
        let failed = try #require(Self.firstFail(checks))
        #expect(failed.name == "storage switch" && failed.detail == "\(Self.diskMode): refused (status 0)")
        #expect(checks[1].name == "unlock 1/1" && checks[1].verdict == .pass)
    }

    /// A protocol v1 dock has no dance: the checks are the reading's, authentication included.
    @Test func aDockWithoutADanceChecksTheReading() {
        var d = DockDiagnostics()
        d.authenticated = false
        d.authenticationError = "refused"
        #expect(Self.names(Diagnosis.evaluate(d, clockOffsetMs: nil)) == ["enumeration", "authentication", "clock drift", "read throughput", "transfer errors"])
    }

    /// Facts kept before the dance was known decode (no "dance"), and a dance's facts survive
    /// the round trip.
    @Test func factsDecodeWithAndWithoutADance() throws {
        var d = Self.facts(Self.switched, .switching, code: "returned", words: "came back", after: 5)
        d.pulledBytes = 7
        let again = try JSONDecoder().decode(DockDiagnostics.self, from: JSONEncoder().encode(d))
        #expect(again == d)
        var old = try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(DockDiagnostics())) as? [String: Any])
        old["dance"] = nil
        let decoded = try JSONDecoder().decode(DockDiagnostics.self, from: JSONSerialization.data(withJSONObject: old))
        #expect(decoded.dance == nil)
    }
}
