import Foundation
import RecorderHAL
import Testing

@Suite struct LinkFailureTests {
    @Test func theFirstFailureCountsAndLaterOnesAreIgnored() {
        let failure = LinkFailure()
        #expect(failure.current == nil)
        #expect(failure.record(.deviceGone) == .deviceGone)
        #expect(failure.record(.closed) == .deviceGone)
        #expect(failure.current == .deviceGone)
    }

    @Test func concurrentRecordsAgreeOnOneFailure() async {
        let failure = LinkFailure()
        let answers = await withTaskGroup(of: LinkError.self) { group in
            for n in 0..<64 { group.addTask { failure.record(.io("failure \(n)")) } }
            var all: [LinkError] = []
            for await answer in group { all.append(answer) }
            return all
        }
        #expect(Set(answers).count == 1)
        #expect(answers.first == failure.current)
    }
}
