import Dock
import Testing

/// Every transition and ending of the pure dance (`StorageDance`).
@Suite struct StorageDanceTests {
    static let wait: Int64 = 120_000

    /// A dance on port 1-1.3 that has reached the wait for the return (switch accepted at 1000).
    static func awaiting(previous: [String]? = nil) -> StorageDance {
        var dance = StorageDance(port: "1-1.3", returnWaitMilliseconds: wait, previousVolumes: previous)
        #expect(dance.handle(.vendorAppeared(.available)) == [.unlock])
        #expect(dance.state == .unlocking)
        #expect(dance.handle(.unlockEnded(.switching, at: 1000)) == [.awaitReturn(deadline: 1000 + wait)])
        #expect(dance.state == .awaitingReturn(switchedAt: 1000, departed: false))
        return dance
    }

    @Test func theWholeDanceOnTheSamePort() {
        var dance = Self.awaiting()
        #expect(dance.handle(.departed(at: 1200)) == [])
        #expect(dance.state == .awaitingReturn(switchedAt: 1000, departed: true))
        #expect(dance.handle(.massStorageAppeared(port: "1-1.3", at: 3500)) == [.acquire])
        #expect(dance.state == .acquiring(afterMilliseconds: 2500))
        let volumes = ["none-0@0:1234ABCD"]
        let outcome = StorageDanceOutcome.returned(afterMilliseconds: 2500, volumes: volumes)
        #expect(dance.handle(.mediumRead(volumes: volumes)) == [.rememberVolumes(volumes), .end(outcome)])
        #expect(dance.outcome == outcome)
        #expect(outcome.collects && !outcome.lostOnTheWay && outcome.code == "returned")
    }

    @Test func aMassStorageAppearanceBeforeTheDepartureCounts() {
        // udev may report the add before the remove has been handled.
        var dance = Self.awaiting()
        #expect(dance.handle(.massStorageAppeared(port: "1-1.3", at: 1001)) == [.acquire])
    }

    @Test func theSameVolumesAsLastTimeAreAReturn() {
        var dance = Self.awaiting(previous: ["MBR-1@2048:AAAA0001", "MBR-2@4096:AAAA0002"])
        _ = dance.handle(.massStorageAppeared(port: "1-1.3", at: 2000))
        let actions = dance.handle(.mediumRead(volumes: ["MBR-2@4096:AAAA0002", "MBR-1@2048:AAAA0001"]))
        #expect(dance.outcome?.code == "returned")
        #expect(actions.count == 2)
    }

    @Test func otherVolumesThanLastTimeAreNamedButStillRead() {
        var dance = Self.awaiting(previous: ["none-0@0:AAAA0001"])
        _ = dance.handle(.massStorageAppeared(port: "1-1.3", at: 2000))
        let now = ["none-0@0:BBBB0002"]
        let outcome = StorageDanceOutcome.returnedWithDifferentVolume(afterMilliseconds: 1000, previous: ["none-0@0:AAAA0001"], now: now)
        #expect(dance.handle(.mediumRead(volumes: now)) == [.rememberVolumes(now), .end(outcome)])
        #expect(outcome.code == "volume-differs" && outcome.collects)
        #expect(outcome.description.contains("none-0@0:AAAA0001") && outcome.description.contains("none-0@0:BBBB0002"))
    }

    /// A read that found no volume (or could not say) is no news about the card: the last
    /// volumes are neither compared nor forgotten.
    @Test func aReadWithNoVolumeForgetsNothing() {
        var dance = Self.awaiting(previous: ["none-0@0:AAAA0001"])
        _ = dance.handle(.massStorageAppeared(port: "1-1.3", at: 2000))
        #expect(dance.handle(.mediumRead(volumes: [])) == [.end(.returned(afterMilliseconds: 1000, volumes: []))])
    }

    @Test func theWaitExpiring() {
        var dance = Self.awaiting()
        _ = dance.handle(.departed(at: 1100))
        let outcome = StorageDanceOutcome.neverCameBack(waitedMilliseconds: Self.wait)
        #expect(dance.handle(.waitExpired(at: 1000 + Self.wait)) == [.end(outcome)])
        #expect(outcome.lostOnTheWay && !outcome.collects && outcome.code == "never-came-back")
        // It arrives after all: refused, the outcome stands.
        #expect(dance.handle(.massStorageAppeared(port: "1-1.3", at: 1000 + Self.wait + 5)) == [.refuse(port: "1-1.3", reason: "no unlock on that port is awaiting it")])
        #expect(dance.outcome == outcome)
    }

    @Test func anAppearanceAfterTheDeadlineIsNotAReturnEvenBeforeTheTimerSaysSo() {
        var dance = Self.awaiting()
        let actions = dance.handle(.massStorageAppeared(port: "1-1.3", at: 1001 + Self.wait))
        #expect(actions.first == .refuse(port: "1-1.3", reason: "it came after the wait for the return was over"))
        #expect(dance.outcome == .neverCameBack(waitedMilliseconds: Self.wait))
    }

    @Test func comingBackOnAnotherPort() {
        var dance = Self.awaiting()
        // Refused, and the wait goes on: it may be another bay's disk or a stick.
        #expect(dance.handle(.massStorageAppeared(port: "1-1.4", at: 1500))
            == [.refuse(port: "1-1.4", reason: "it did not arrive through an unlock on that port")])
        #expect(dance.outcome == nil)
        let outcome = StorageDanceOutcome.cameBackElsewhere(expected: "1-1.3", actual: "1-1.4", afterMilliseconds: 500)
        #expect(dance.handle(.waitExpired(at: 1000 + Self.wait)) == [.end(outcome)])
        #expect(outcome.lostOnTheWay && outcome.code == "came-back-elsewhere")
    }

    @Test func aDiskInAnotherBayDoesNotStopTheReturnOnThisPort() {
        var dance = Self.awaiting()
        _ = dance.handle(.massStorageAppeared(port: "1-1.9", at: 1100))
        #expect(dance.handle(.massStorageAppeared(port: "1-1.3", at: 1200)) == [.acquire])
        #expect(dance.state == .acquiring(afterMilliseconds: 200))
    }

    /// The password went out and its answer was lost: remembered like a refusal, so that a
    /// recorder that locked itself and went quiet is not sent it again at every dock.
    @Test func aPasswordWhoseAnswerWasLostIsRemembered() {
        var dance = StorageDance(port: "p", returnWaitMilliseconds: 10, previousVolumes: nil)
        _ = dance.handle(.vendorAppeared(.available))
        #expect(dance.handle(.unlockEnded(.passwordUnconfirmed("login result: empty"), at: 5))
            == [.rememberRefusedPassword, .end(.passwordUnconfirmed("login result: empty"))])
        #expect(dance.outcome?.code == "password-unconfirmed")
    }

    @Test func aRefusedPasswordIsRememberedAndEndsTheDance() {
        var dance = StorageDance(port: "p", returnWaitMilliseconds: 10, previousVolumes: nil)
        _ = dance.handle(.vendorAppeared(.available))
        #expect(dance.handle(.unlockEnded(.passwordRefused, at: 5)) == [.rememberRefusedPassword, .end(.passwordRefused)])
        // Nothing after the end moves it.
        #expect(dance.handle(.unlockEnded(.switching, at: 6)) == [])
        #expect(dance.outcome == .passwordRefused)
    }

    @Test func aPasswordRefusedEarlierIsNotSent() {
        var dance = StorageDance(port: "p", returnWaitMilliseconds: 10, previousVolumes: nil)
        #expect(dance.handle(.vendorAppeared(.refusedEarlier("2026-12-06T10:00:00Z")))
            == [.end(.passwordWithheld(since: "2026-12-06T10:00:00Z"))])
        #expect(dance.outcome?.code == "password-withheld")
    }

    @Test func notKnowingWhetherItRefusedBeforeSendsNothing() {
        var dance = StorageDance(port: "p", returnWaitMilliseconds: 10, previousVolumes: nil)
        #expect(dance.handle(.vendorAppeared(.unknown("journal locked"))) == [.end(.unlockFailed("journal locked; nothing sent"))])
    }

    @Test func noPasswordNothingSent() {
        var dance = StorageDance(port: "p", returnWaitMilliseconds: 10, previousVolumes: nil)
        #expect(dance.handle(.vendorAppeared(.none)) == [.end(.noPassword)])
    }

    @Test(arguments: [
        (StorageDance.UnlockEnding.passwordUnusable("8 characters"), StorageDanceOutcome.passwordUnusable("8 characters")),
        (.storageSwitchRefused, .diskModeRefused),
        (.notThisFamily("@Ver answered nonsense"), .notThisFamily("@Ver answered nonsense")),
        (.failed("timed out"), .unlockFailed("timed out")),
    ])
    func unlockEndingsThatEndTheDance(ending: StorageDance.UnlockEnding, outcome: StorageDanceOutcome) {
        var dance = StorageDance(port: "p", returnWaitMilliseconds: 10, previousVolumes: nil)
        _ = dance.handle(.vendorAppeared(.available))
        #expect(dance.handle(.unlockEnded(ending, at: 1)) == [.end(outcome)])
        #expect(!outcome.collects && !outcome.lostOnTheWay)
    }

    @Test func alreadyInStorageModeAwaitsTheMassStorageAppearance() {
        var dance = StorageDance(port: "p", returnWaitMilliseconds: 10, previousVolumes: nil)
        _ = dance.handle(.vendorAppeared(.available))
        #expect(dance.handle(.unlockEnded(.alreadyInStorageMode, at: 3)) == [.awaitReturn(deadline: 13)])
    }

    @Test func anUnreadableMedium() {
        var dance = Self.awaiting()
        _ = dance.handle(.massStorageAppeared(port: "1-1.3", at: 2000))
        #expect(dance.handle(.mediumUnreadable("no volume")) == [.end(.unreadable("no volume"))])
        #expect(dance.outcome?.lostOnTheWay == true)
    }

    @Test func aMassStorageDeviceThatNoUnlockAwaitsIsRefused() {
        var dance = StorageDance(port: "1-1.3", returnWaitMilliseconds: 10, previousVolumes: nil)
        #expect(dance.handle(.massStorageAppeared(port: "1-1.3", at: 0)) == [.refuse(port: "1-1.3", reason: "no unlock on that port is awaiting it")])
        #expect(dance.state == .appeared)
        _ = dance.handle(.vendorAppeared(.available))
        #expect(dance.handle(.massStorageAppeared(port: "1-1.3", at: 0)).first == .refuse(port: "1-1.3", reason: "no unlock on that port is awaiting it"))
        #expect(dance.state == .unlocking)
    }

    @Test func eventsOutOfOrderChangeNothing() {
        var dance = StorageDance(port: "p", returnWaitMilliseconds: 10, previousVolumes: nil)
        for event: StorageDance.Event in [.unlockEnded(.switching, at: 0), .departed(at: 0), .waitExpired(at: 99), .mediumRead(volumes: []), .mediumUnreadable("x")] {
            #expect(dance.handle(event) == [])
            #expect(dance.state == .appeared)
        }
        _ = dance.handle(.vendorAppeared(.available))
        #expect(dance.handle(.vendorAppeared(.available)) == [])
        #expect(dance.handle(.waitExpired(at: 99)) == [])
        #expect(dance.state == .unlocking)
    }

    @Test func outcomeWords() {
        #expect(StorageDanceOutcome.neverCameBack(waitedMilliseconds: 120_000).description.contains("120.000 s"))
        #expect(StorageDanceOutcome.passwordRefused.description.contains("not sent to this recorder again"))
    }
}
