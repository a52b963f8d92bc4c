import CCurl
import Foundation

/// One request on its way: the libcurl easy handle, what the callbacks collect, and the
/// continuation that gets the outcome.
///
/// Threads: made by the caller; from `CurlEventLoop.submit` on, only the event-loop thread
/// touches it (libcurl's callbacks run there, inside `curl_multi_perform`), except for the
/// cancellation flag, which has its own lock.
final class CurlTransfer: @unchecked Sendable {
    /// The easy handle (libcurl's `CURL *`).
    let easy: UnsafeMutableRawPointer
    private var headerList: UnsafeMutablePointer<curl_slist>?
    private let errorBuffer: UnsafeMutablePointer<CChar>
    private let source: (any HTTPBodySource)?
    private let maximumResponseBody: Int

    private var headers: [String: String] = [:]
    private var body: [UInt8] = []
    private var sourceAborted = false
    private var responseTooLarge = false
    private var continuation: CheckedContinuation<Result<HTTPResponse, HTTPFailure>, Never>?

    /// The client's send cap, shared with its other transfers; nil: none.
    let rateLimit: SendRateLimit?
    /// The read callback paused the transfer for the cap (`CURL_READFUNC_PAUSE`); the event
    /// loop resumes it when bytes are due.
    var pausedForRate = false

    private let cancelLock = NSLock()
    private var cancelRequested = false

    /// A transfer for `request`, every option set; throws when libcurl refuses one.
    init(_ request: HTTPRequest, settings: HTTPClient.Settings, rateLimit: SendRateLimit? = nil) throws(HTTPFailure) {
        guard let easy = curl_easy_init() else {
            throw HTTPFailure(kind: .other, curlCode: Int(CURLE_FAILED_INIT.rawValue), detail: "curl_easy_init failed")
        }
        self.easy = easy
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE))
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))
        maximumResponseBody = settings.maximumResponseBody
        self.rateLimit = rateLimit
        switch request.body {
        case .none: source = ["PUT", "POST"].contains(request.method) ? BytesBodySource([]) : nil
        case .bytes(let bytes): source = BytesBodySource(bytes)
        case .stream(let stream): source = stream
        }
        do throws(HTTPFailure) {
            try configure(request, settings: settings)
        } catch {
            release()
            throw error
        }
    }

    deinit { release() }

    private var released = false

    /// Frees the handle and what it points to (once).
    private func release() {
        guard !released else { return }
        released = true
        curl_easy_cleanup(easy)
        curl_slist_free_all(headerList)
        errorBuffer.deallocate()
    }

    private func configure(_ request: HTTPRequest, settings: HTTPClient.Settings) throws(HTTPFailure) {
        let context = Unmanaged.passUnretained(self).toOpaque()
        try check(rg_setopt_string(easy, CURLOPT_URL, request.url))
        try check(rg_setopt_pointer(easy, CURLOPT_ERRORBUFFER, errorBuffer))
        // Signals are no way to time out name resolution in a threaded process.
        try check(rg_setopt_long(easy, CURLOPT_NOSIGNAL, 1))
        try check(rg_setopt_string(easy, CURLOPT_PROTOCOLS_STR, "http,https"))
        // HTTP/2 where a store offers it over TLS (ALPN), so the transfers in flight share one
        // connection; HTTP/1.1 otherwise, and always over plain HTTP (no h2c upgrade dance).
        try check(rg_setopt_long(easy, CURLOPT_HTTP_VERSION, rg_http_version_2tls))
        // What is signed is the path as given: no "/./" or "/../" squashed.
        try check(rg_setopt_long(easy, CURLOPT_PATH_AS_IS, 1))
        // Redirects are never followed (the default, said here): a redirect is the answer.
        try check(rg_setopt_long(easy, CURLOPT_FOLLOWLOCATION, 0))
        try check(rg_setopt_long(easy, CURLOPT_TCP_KEEPALIVE, 1))
        // The idle timeout: no connection within it, or under one byte a second for as long.
        let idle = max(1, Int(settings.idleTimeout.rounded(.up)))
        try check(rg_setopt_long(easy, CURLOPT_CONNECTTIMEOUT, idle))
        try check(rg_setopt_long(easy, CURLOPT_LOW_SPEED_LIMIT, 1))
        try check(rg_setopt_long(easy, CURLOPT_LOW_SPEED_TIME, idle))
        if let userAgent = settings.userAgent {
            try check(rg_setopt_string(easy, CURLOPT_USERAGENT, userAgent))
        }
        if let caFile = settings.caFile {
            try check(rg_setopt_string(easy, CURLOPT_CAINFO, caFile))
            try check(rg_setopt_string(easy, CURLOPT_CAPATH, nil))
        }

        switch request.method {
        case "HEAD": try check(rg_setopt_long(easy, CURLOPT_NOBODY, 1))
        case "GET": try check(rg_setopt_long(easy, CURLOPT_HTTPGET, 1))
        default: try check(rg_setopt_string(easy, CURLOPT_CUSTOMREQUEST, request.method))
        }
        if let source {
            try check(rg_setopt_long(easy, CURLOPT_UPLOAD, 1))
            try check(rg_setopt_offset(easy, CURLOPT_INFILESIZE_LARGE, curl_off_t(source.length)))
            // Fewer, larger reads from the source: a file body is read from the page cache.
            try check(rg_setopt_long(easy, CURLOPT_UPLOAD_BUFFERSIZE, 512 << 10))
            try check(rg_setopt_data_callback(easy, CURLOPT_READFUNCTION) { buffer, size, count, context in
                Unmanaged<CurlTransfer>.fromOpaque(context!).takeUnretainedValue().produce(buffer, size * count)
            })
            try check(rg_setopt_pointer(easy, CURLOPT_READDATA, context))
            try check(rg_setopt_seek_callback(easy, CURLOPT_SEEKFUNCTION) { context, offset, origin in
                Unmanaged<CurlTransfer>.fromOpaque(context!).takeUnretainedValue().seek(offset, origin)
            })
            try check(rg_setopt_pointer(easy, CURLOPT_SEEKDATA, context))
        }
        try check(rg_setopt_data_callback(easy, CURLOPT_WRITEFUNCTION) { buffer, size, count, context in
            Unmanaged<CurlTransfer>.fromOpaque(context!).takeUnretainedValue().received(buffer, size * count)
        })
        try check(rg_setopt_pointer(easy, CURLOPT_WRITEDATA, context))
        try check(rg_setopt_data_callback(easy, CURLOPT_HEADERFUNCTION) { buffer, size, count, context in
            Unmanaged<CurlTransfer>.fromOpaque(context!).takeUnretainedValue().receivedHeader(buffer, size * count)
        })
        try check(rg_setopt_pointer(easy, CURLOPT_HEADERDATA, context))

        // "Name;" is libcurl's way to send an empty value ("Name:" would remove the header);
        // "Expect:" removes the 100-continue wait libcurl adds for large bodies.
        for (name, value) in request.headers {
            headerList = curl_slist_append(headerList, value.isEmpty ? "\(name);" : "\(name): \(value)")
        }
        headerList = curl_slist_append(headerList, "Expect:")
        try check(rg_setopt_list(easy, CURLOPT_HTTPHEADER, headerList))
    }

    private func check(_ code: CURLcode) throws(HTTPFailure) {
        guard code == CURLE_OK else {
            throw HTTPFailure(kind: .other, curlCode: Int(code.rawValue), detail: "curl_easy_setopt: " + String(cString: curl_easy_strerror(code)))
        }
    }

    // MARK: Cancellation (any thread)

    var isCancelled: Bool { cancelLock.withLock { cancelRequested } }

    func requestCancel() { cancelLock.withLock { cancelRequested = true } }

    // MARK: Outcome (event-loop thread)

    /// Keeps the continuation that `finish` resumes (before the transfer is submitted).
    func await(_ continuation: CheckedContinuation<Result<HTTPResponse, HTTPFailure>, Never>) {
        self.continuation = continuation
    }

    /// libcurl finished the transfer with `code` (the handle is out of the multi handle).
    func complete(_ code: CURLcode) {
        if code == CURLE_OK {
            var status = 0
            _ = rg_getinfo_long(easy, CURLINFO_RESPONSE_CODE, &status)
            finish(.success(HTTPResponse(status: status, headers: headers, body: body)))
            return
        }
        let message = String(cString: errorBuffer)
        let detail = message.isEmpty ? String(cString: curl_easy_strerror(code)) : message
        finish(.failure(HTTPFailure(kind: kind(of: code), curlCode: Int(code.rawValue), detail: detail)))
    }

    /// Ends the transfer with `result`, once.
    func finish(_ result: Result<HTTPResponse, HTTPFailure>) {
        // Not waiting for its turn any longer: the next in the queue is.
        rateLimit?.forget(ObjectIdentifier(self))
        let continuation = self.continuation
        self.continuation = nil
        release()
        continuation?.resume(returning: result)
    }

    private func kind(of code: CURLcode) -> HTTPFailure.Kind {
        switch code {
        case CURLE_ABORTED_BY_CALLBACK where sourceAborted: .bodyAborted
        case CURLE_WRITE_ERROR where responseTooLarge: .responseTooLarge
        case CURLE_URL_MALFORMAT: .invalidURL
        case CURLE_UNSUPPORTED_PROTOCOL: .unsupportedScheme
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY: .hostNotFound
        case CURLE_COULDNT_CONNECT: .cannotConnect
        case CURLE_OPERATION_TIMEDOUT: .timedOut
        case CURLE_SEND_ERROR, CURLE_RECV_ERROR, CURLE_GOT_NOTHING, CURLE_PARTIAL_FILE, CURLE_SEND_FAIL_REWIND, CURLE_HTTP2_STREAM:
            .connectionLost
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER,
             CURLE_SSL_CACERT_BADFILE, CURLE_SSL_ISSUER_ERROR, CURLE_SSL_INVALIDCERTSTATUS, CURLE_SSL_PINNEDPUBKEYNOTMATCH,
             CURLE_SSL_ENGINE_NOTFOUND, CURLE_SSL_ENGINE_SETFAILED, CURLE_SSL_SHUTDOWN_FAILED, CURLE_SSL_CRL_BADFILE:
            .tls
        default: .other
        }
    }

    // MARK: Callbacks (event-loop thread)

    private func produce(_ buffer: UnsafeMutablePointer<CChar>?, _ capacity: Int) -> Int {
        guard let source, let buffer else { return 0 }
        var allowed = capacity
        if let rateLimit, capacity > 0 {
            allowed = rateLimit.take(upTo: capacity, for: ObjectIdentifier(self))
            if allowed == 0 {
                pausedForRate = true
                return rg_readfunc_pause
            }
        }
        guard let count = source.read(into: UnsafeMutableRawBufferPointer(start: buffer, count: allowed)) else {
            rateLimit?.giveBack(allowed)
            sourceAborted = true
            return rg_readfunc_abort
        }
        rateLimit?.giveBack(allowed - count)
        return count
    }

    private func seek(_ offset: curl_off_t, _ origin: Int32) -> Int32 {
        guard let source, offset == 0, origin == SEEK_SET, source.rewind() else { return rg_seekfunc_cantseek }
        return rg_seekfunc_ok
    }

    private func received(_ buffer: UnsafeMutablePointer<CChar>?, _ count: Int) -> Int {
        guard let buffer, count > 0 else { return 0 }
        guard body.count + count <= maximumResponseBody else {
            responseTooLarge = true
            return 0
        }
        body.append(contentsOf: UnsafeRawBufferPointer(start: buffer, count: count))
        return count
    }

    private func receivedHeader(_ buffer: UnsafeMutablePointer<CChar>?, _ count: Int) -> Int {
        guard let buffer else { return 0 }
        let line = String(decoding: UnsafeRawBufferPointer(start: buffer, count: count), as: UTF8.self)
        if line.hasPrefix("HTTP/") {
            // A new answer (the final one after a 100 Continue): its headers only.
            headers = [:]
            body = []
        } else if let colon = line.firstIndex(of: ":") {
            let name = line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespacesAndNewlines)
            if let earlier = headers[name] { headers[name] = earlier + ", " + value } else { headers[name] = value }
        }
        return count
    }
}
