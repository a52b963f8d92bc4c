import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// An HTTP answer, headers keyed by lower-case name.
struct HTTPAnswer: Sendable {
    var status: Int
    var headers: [String: String]
    var body: Data

    func header(_ name: String) -> String? { headers[name] }
}

/// What a request sends as its body.
enum HTTPBody: Sendable {
    case none
    /// Small bodies: XML documents.
    case data(Data)
    /// File contents loaded for one PUT or part, taken out once when the task is created.
    /// Never `uploadTask(with:fromFile:)` (it can crash the process when a connection drops,
    /// see `UploadBody`) and never `httpBodyStream` (it sends `Transfer-Encoding: chunked`,
    /// which S3 refuses with 501).
    case upload(UploadBody)
}

/// URLSession (FoundationNetworking, libcurl on Linux) as this client uses it: one request,
/// one answer, no redirects followed, no cookies, no cache, cancellable.
final class HTTPTransport: Sendable {
    private let session: URLSession

    /// - Parameter idleTimeout: seconds without a byte sent or received before a request
    ///   fails with URLError.timedOut. FoundationNetworking restarts the timer on every
    ///   read, write and header, so it is an idle timeout, not a limit on a long upload.
    init(idleTimeout: TimeInterval) {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = idleTimeout
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        configuration.urlCache = nil
        configuration.httpCookieStorage = nil
        configuration.httpShouldSetCookies = false
        session = URLSession(configuration: configuration, delegate: RefuseRedirects(), delegateQueue: nil)
    }

    deinit { session.finishTasksAndInvalidate() }

    /// Sends `request` with `body`. Throws only `.transport` (no HTTP answer at all); any
    /// status, errors included, is returned for the caller to judge.
    func send(_ request: URLRequest, body: HTTPBody, operation: String) async throws(S3Error) -> HTTPAnswer {
        let holder = TaskHolder()
        let url = request.url?.absoluteString ?? "?"
        let result: Result<HTTPAnswer, S3Error> = await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Result<HTTPAnswer, S3Error>, Never>) in
                let completion: @Sendable (Data?, URLResponse?, (any Error)?) -> Void = { data, response, error in
                    if let error {
                        let code = (error as? URLError)?.errorCode ?? URLError.unknown.rawValue
                        let detail = (error as NSError).localizedDescription
                        continuation.resume(returning: .failure(.transport(operation: operation, url: url, code: code, detail: detail)))
                        return
                    }
                    guard let http = response as? HTTPURLResponse else {
                        continuation.resume(returning: .failure(.transport(
                            operation: operation, url: url, code: URLError.badServerResponse.rawValue, detail: "not an HTTP response")))
                        return
                    }
                    var headers = [String: String]()
                    for (name, value) in http.allHeaderFields {
                        if let name = name as? String, let value = value as? String { headers[name.lowercased()] = value }
                    }
                    continuation.resume(returning: .success(HTTPAnswer(status: http.statusCode, headers: headers, body: data ?? Data())))
                }
                let task: URLSessionTask
                switch body {
                case .none: task = session.dataTask(with: request, completionHandler: completion)
                case .data(let data): task = session.uploadTask(with: request, from: data, completionHandler: completion)
                case .upload(let upload):
                    // URLSession copies the body here; the loaded copy is dropped right after.
                    guard let created = upload.take({ session.uploadTask(with: request, from: $0, completionHandler: completion) }) else {
                        continuation.resume(returning: .failure(.invalidRequest(
                            operation: operation, detail: "an upload body of \(upload.count) bytes was already sent once")))
                        return
                    }
                    task = created
                }
                holder.start(task)
            }
        } onCancel: {
            holder.cancel()
        }
        return try result.get()
    }
}

/// Hands a task started inside a continuation to a cancellation handler that may run before,
/// during or after the start.
private final class TaskHolder: @unchecked Sendable {
    private let lock = NSLock()
    private var task: URLSessionTask?
    private var cancelled = false

    func start(_ task: URLSessionTask) {
        lock.lock()
        self.task = task
        let cancelled = self.cancelled
        lock.unlock()
        task.resume()
        // Cancelled before the task existed: cancel it now, so it completes with .cancelled.
        if cancelled { task.cancel() }
    }

    func cancel() {
        lock.lock()
        cancelled = true
        let task = self.task
        lock.unlock()
        task?.cancel()
    }
}

/// Answers every redirect with "do not follow": the redirect itself comes back as the answer.
/// Following would send the signed request, Authorization header included, to another host,
/// and an S3 redirect (301 PermanentRedirect, 307 TemporaryRedirect) means the endpoint or
/// region is misconfigured, which an operator should see.
private final class RefuseRedirects: NSObject, URLSessionTaskDelegate, Sendable {
    func urlSession(_ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
                    newRequest request: URLRequest, completionHandler: @escaping @Sendable (URLRequest?) -> Void) {
        completionHandler(nil)
    }
}
