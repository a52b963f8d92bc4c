import Evidence
import Foundation
import Journal
import S3Store

/// One attempt at one object, and what it leaves in the journal and the audit log: verified,
/// sent again later (with backoff), failed until `retry`, or the whole queue paused.
extension Forwarder {
    func send(_ object: Journal.ForwardObject) async {
        let key = settings.key(bag: object.bagName, path: object.path)
        let path = store.finalBag(object.bagName) + "/" + object.path
        let lock = settings.objectLock(uploadedAt: Date())
        let outcome: Result<Delivery, S3Error>
        do throws(S3Error) {
            outcome = .success(try await deliver(object, key: key, path: path, lock: lock))
        } catch {
            outcome = .failure(error)
        }
        switch outcome {
        case .success(.verified):
            try? journal.updateForward(bag: object.bagName, path: object.path, state: .verified, attempts: object.attempts + 1,
                                       nextAttemptUTC: nil, lastError: nil, verifiedUTC: UTCTimestamp.string(Date()))
            if (try? journal.isForwarded(bag: object.bagName)) == true {
                _ = try? await audit.append(.bagForwarded, detail: ["bag": object.bagName, "bucket": settings.bucket,
                                                                    "prefix": settings.prefix, "endpoint": settings.endpoint])
            }
        case .success(.mismatch(let problem)):
            // The store shows something other than what was sent: send it again.
            lastProblem = "\(key): \(problem)"
            try? journal.updateForward(bag: object.bagName, path: object.path, state: .pending, attempts: object.attempts + 1,
                                       nextAttemptUTC: UTCTimestamp.string(Date().addingTimeInterval(backoff(object.attempts))),
                                       lastError: "verification: \(problem)", verifiedUTC: nil)
        case .success(.unverifiable(let problem)):
            // Sending again would not help: the store's answers cannot prove the copy.
            lastProblem = "\(key): \(problem)"
            try? journal.updateForward(bag: object.bagName, path: object.path, state: .failed, attempts: object.attempts + 1,
                                       nextAttemptUTC: nil, lastError: "verification: \(problem)", verifiedUTC: nil)
            _ = try? await audit.append(.forwardFailed, detail: ["bag": object.bagName, "path": object.path, "reason": problem])
        case .failure(let error):
            lastProblem = "\(key): \(error)"
            if error.isOutOfStorage {
                pausedUntil = Date().addingTimeInterval(300)
                _ = try? await audit.append(.forwardFailed, detail: ["bag": object.bagName, "path": object.path,
                                                                     "reason": "store full, queue paused 5 min: \(error)"])
                return
            }
            let permanent = error.isPermanent
            try? journal.updateForward(bag: object.bagName, path: object.path, state: permanent ? .failed : .pending,
                                       attempts: object.attempts + 1,
                                       nextAttemptUTC: permanent ? nil : UTCTimestamp.string(Date().addingTimeInterval(backoff(object.attempts))),
                                       lastError: error.description, verifiedUTC: nil)
            if permanent {
                // An upload that will not be finished must not keep its parts in the store.
                if let id = ((try? journal.forwardObjects(bag: object.bagName)) ?? []).first(where: { $0.path == object.path })?.uploadID {
                    try? await client.abortMultipartUpload(bucket: settings.bucket, key: key, uploadID: id)
                    try? journal.setUploadID(bag: object.bagName, path: object.path, nil)
                }
                _ = try? await audit.append(.forwardFailed, detail: ["bag": object.bagName, "path": object.path, "reason": error.description])
            }
        }
    }

    /// 1 s, 2 s, 4 s … capped at 5 minutes, with ±25 % jitter so that many kiosks do not retry
    /// in step against a recovering store.
    func backoff(_ attempts: Int) -> TimeInterval {
        let base = min(300, pow(2, Double(min(attempts, 12))))
        return base * Double.random(in: 0.75...1.25)
    }
}
