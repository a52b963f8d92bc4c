import CurlHTTP
import Foundation

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
    /// A file or a range of it, streamed from disk and checked as it goes (`FileBody`).
    case file(FileBody)
}

/// The libcurl client (`CurlHTTP`) as this S3 client uses it: one request, one answer, no
/// redirects followed, connections kept alive, cancellable; failures as `S3Error`.
final class HTTPTransport: Sendable {
    private let client: HTTPClient

    /// - Parameters:
    ///   - idleTimeout: seconds without a byte sent or received before a request fails
    ///     (URLError.timedOut): an idle timeout, not a limit on a long upload.
    ///   - caFile: the PEM file of the CAs HTTPS trusts instead of the system store.
    ///   - sendBytesPerSecond: the cap on all request bodies together; nil: none.
    init(idleTimeout: TimeInterval, caFile: String?, sendBytesPerSecond: Int64? = nil) {
        // The program's name as the User-Agent (as URLSession sent it), so that the store's
        // log tells the gateway's requests from others.
        client = HTTPClient(settings: HTTPClient.Settings(idleTimeout: idleTimeout, caFile: caFile,
                                                          userAgent: "\(ProcessInfo.processInfo.processName) libcurl",
                                                          sendBytesPerSecond: sendBytesPerSecond))
    }

    /// Sends the request. Throws `.transport` when there is no HTTP answer at all, or the
    /// file body's own failure when it aborted the request (`FileBody`); any status, errors
    /// included, is returned for the caller to judge.
    func send(method: String, url: String, headers: [(name: String, value: String)], body: HTTPBody,
              operation: String) async throws(S3Error) -> HTTPAnswer {
        let requestBody: HTTPRequestBody = switch body {
        case .none: .none
        case .data(let data): .bytes([UInt8](data))
        case .file(let file): .stream(file)
        }
        do throws(HTTPFailure) {
            let response = try await client.send(HTTPRequest(method: method, url: url, headers: headers, body: requestBody))
            return HTTPAnswer(status: response.status, headers: response.headers, body: Data(response.body))
        } catch {
            if case .file(let file) = body, let failure = file.failure { throw failure }
            throw .transport(operation: operation, url: url, code: Self.urlErrorCode(error.kind).rawValue, detail: error.detail)
        }
    }

    /// The URLError code that names a failure's kind (the codes FoundationNetworking reported,
    /// which `S3Error.isTransient` and the forward queue's cancellation are written in).
    static func urlErrorCode(_ kind: HTTPFailure.Kind) -> URLError.Code {
        switch kind {
        case .invalidURL: .badURL
        case .unsupportedScheme: .unsupportedURL
        case .hostNotFound: .cannotFindHost
        case .cannotConnect: .cannotConnectToHost
        case .timedOut: .timedOut
        case .connectionLost: .networkConnectionLost
        case .tls: .secureConnectionFailed
        case .cancelled: .cancelled
        case .responseTooLarge: .dataLengthExceedsMaximum
        case .bodyAborted, .other: .unknown
        }
    }
}
