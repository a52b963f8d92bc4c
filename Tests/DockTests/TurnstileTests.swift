import Dock
import Testing

/// Retention passes run one at a time: a second pass asked for while one is suspended waits
/// for it (the race CI caught: the periodic pass and the one after `--once` both took a bag).
@Suite struct TurnstileTests {
    actor Log {
        var lines: [String] = []
        var secondArrived = false
        func add(_ line: String) { lines.append(line) }
        func arrive() { secondArrived = true }
    }

    @Test func aSecondCallerWaitsUntilTheFirstBodyHasFinishedEvenAcrossSuspensions() async {
        let gate = Turnstile()
        let log = Log()
        let first = Task {
            await gate.pass {
                await log.add("first begins")
                // Suspend until the second caller has asked, then keep suspending: a gate
                // that let it in at any of these points would show it in the log.
                while await !log.secondArrived { await Task.yield() }
                for _ in 0..<200 { await Task.yield() }
                await log.add("first ends")
            }
        }
        while await log.lines.isEmpty { await Task.yield() }
        let second = Task {
            await log.arrive()
            await gate.pass { await log.add("second runs") }
        }
        await first.value
        await second.value
        #expect(await log.lines == ["first begins", "first ends", "second runs"])
    }
}
