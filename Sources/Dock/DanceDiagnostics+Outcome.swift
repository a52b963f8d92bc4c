import Control

extension DanceDiagnostics {
    /// The dance's ending: its code and words, how long the return took (or was awaited), and
    /// the port it came back on when not the one it was unlocked on.
    mutating func record(_ outcome: StorageDanceOutcome) {
        outcomeCode = outcome.code
        outcomeWords = outcome.description
        switch outcome {
        case .returned(let ms, _), .returnedWithDifferentVolume(let ms, _, _):
            returnedAfterMilliseconds = ms
        case .neverCameBack(let ms):
            returnedAfterMilliseconds = ms
        case .cameBackElsewhere(_, let actual, let ms):
            returnedAfterMilliseconds = ms
            returnedOnPort = actual
        default:
            break
        }
    }
}
