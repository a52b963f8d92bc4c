import Foundation
import FuzzSupport
import RecorderSimulator

/// The simulator's scenario parser (JSON) on arbitrary bytes: never traps, and a scenario it
/// accepts is well formed (at least one recorder, serials unique).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Data(fuzzInput(data, size))
    let scenario: Scenario
    do throws(ScenarioError) { scenario = try Scenario(json: bytes) } catch {
        invariant(!error.reason.isEmpty, "an error without a reason at \(error.path)")
        return 0
    }
    invariant(!scenario.recorders.isEmpty, "a scenario without recorders")
    invariant(Set(scenario.recorders.map(\.identity.serial)).count == scenario.recorders.count, "duplicate serials")
    return 0
}
