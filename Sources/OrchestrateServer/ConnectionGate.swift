import Foundation

/// The public side of `serve`. FlyingFox accepts every connection and reads
/// a request head without a limit, so the listening socket is this gate's:
/// it lets `Limits.connections` clients in at a time (and no more than
/// `Limits.connectionsPerAddress` from one address, so one client cannot
/// take every place) and relays each to the
/// HTTP server on a private unix socket, checking every request head on the
/// way (`RequestFraming`). A client over a limit gets its answer from here
/// and is disconnected; the server and the other clients go on.
final class ConnectionGate: @unchecked Sendable {
  struct Limits: Sendable {
    var connections = 64
    var connectionsPerAddress = 16
    var headBytes = 16 * 1024
    /// `serve` is read-only: a body is read only to be thrown away.
    var bodyBytes = 64 * 1024
    /// Nothing sent either way for this long closes the connection.
    var idleSeconds = 15
    /// A request head must arrive whole this long after its first byte:
    /// a client that trickles it, a line every few seconds, would otherwise
    /// hold a connection for ever (slowloris).
    var headSeconds = 10
  }

  let limits: Limits
  private let listener: Int32
  private let backend: String
  private let lock = NSLock()
  private var open = 0
  /// Open connections by client IPv4 address.
  private var openFrom: [UInt32: Int] = [:]
  private var refusing = 0
  private var stopped = false
  /// The server side of every relayed connection, for `stop`.
  private var relayed: Set<Int32> = []

  /// Binds and listens at once, so clients can connect (and wait in the
  /// backlog) from the moment `serve` prints that it listens.
  init(address: ListenAddress, backend: String, limits: Limits) throws(ServeError) {
    self.limits = limits
    self.backend = backend
    let text = "\(address.host):\(address.port)"
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    guard fd >= 0 else { throw .cannotListen(text, String(cString: strerror(errno))) }
    var yes: Int32 = 1
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
    var socketAddress = sockaddr_in()
    socketAddress.sin_family = sa_family_t(AF_INET)
    socketAddress.sin_port = address.port.bigEndian
    inet_pton(AF_INET, address.host, &socketAddress.sin_addr)
    let bound = withUnsafePointer(to: &socketAddress) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
      }
    }
    guard bound == 0, Glibc.listen(fd, 128) == 0 else {
      let reason = String(cString: strerror(errno))
      close(fd)
      throw .cannotListen(text, reason)
    }
    listener = fd
  }

  /// The port bound (the one asked for, or the free one picked for 0).
  var port: UInt16 {
    var socketAddress = sockaddr_in()
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &socketAddress) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        getsockname(listener, $0, &length)
      }
    }
    return UInt16(bigEndian: socketAddress.sin_port)
  }

  func start() {
    Thread.detachNewThread { [self] in acceptConnections() }
  }

  /// No new connections, and no new requests on those open: the server
  /// sees each connection's end, answers what it has been asked and closes.
  /// (Left to the server, an idle keep-alive connection would be waited for
  /// until the stop timeout.)
  func stop() {
    let open = lock.withLock {
      stopped = true
      return relayed
    }
    shutdown(listener, Int32(SHUT_RDWR))
    for server in open { shutdown(server, Int32(SHUT_WR)) }
  }

  private func acceptConnections() {
    while true {
      var peer = sockaddr_in()
      var length = socklen_t(MemoryLayout<sockaddr_in>.size)
      let client = withUnsafeMutablePointer(to: &peer) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { accept(listener, $0, &length) }
      }
      if client >= 0 {
        _ = fcntl(client, F_SETFD, FD_CLOEXEC)
        // An answer reaches the gate in pieces (head, then body) and leaves
        // as it came: Nagle's algorithm would hold the body back until the
        // client acknowledged the head, which it delays by up to 40 ms.
        var noDelay: Int32 = 1
        setsockopt(
          client, Int32(IPPROTO_TCP), TCP_NODELAY, &noDelay, socklen_t(MemoryLayout<Int32>.size))
      }
      if client < 0 {
        if lock.withLock({ stopped }) {
          close(listener)
          return
        }
        // Out of descriptors: wait for some to be closed rather than spin.
        if errno == EMFILE || errno == ENFILE { usleep(50_000) }
        continue
      }
      let address = peer.sin_addr.s_addr
      let refusal = lock.withLock { () -> GateAnswer? in
        guard open < limits.connections else { return GateAnswer.busy(limits.connections) }
        guard openFrom[address, default: 0] < limits.connectionsPerAddress else {
          return GateAnswer.busy(limits.connectionsPerAddress, from: Self.text(of: peer.sin_addr))
        }
        open += 1
        openFrom[address, default: 0] += 1
        return nil
      }
      if let refusal {
        refuse(client, refusal)
        continue
      }
      Thread.detachNewThread { [self] in
        // A client that closed its connection no longer holds its address's
        // place, though the server may still be finishing its answer: a
        // client at the limit that reconnects is not refused meanwhile.
        var holdsPlace = true
        let leave = {
          guard holdsPlace else { return }
          holdsPlace = false
          self.lock.withLock {
            self.openFrom[address]! -= 1
            if self.openFrom[address] == 0 { self.openFrom[address] = nil }
          }
        }
        relay(client, clientClosed: leave)
        // Free before closing: a client that sees the end may connect again at once.
        leave()
        lock.withLock { open -= 1 }
        close(client)
      }
    }
  }

  /// Whether every relayed connection has ended, waiting up to `timeout`
  /// seconds for it.
  func drained(within timeout: TimeInterval) async -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while lock.withLock({ open }) > 0 {
      if Date() >= deadline { return false }
      try? await Task.sleep(nanoseconds: 10_000_000)
    }
    return true
  }

  /// Answers and closes without troubling the server; a flood of refused
  /// clients is closed without an answer once 16 are being answered.
  private func refuse(_ client: Int32, _ answer: GateAnswer) {
    let answering = lock.withLock { () -> Bool in
      guard refusing < 16 else { return false }
      refusing += 1
      return true
    }
    guard answering else {
      close(client)
      return
    }
    Thread.detachNewThread { [self] in
      Self.answer(client, answer)
      close(client)
      lock.withLock { refusing -= 1 }
    }
  }

  /// Copies bytes both ways until either side is done, every request head
  /// checked before the server sees it.
  static func text(of address: in_addr) -> String {
    var address = address
    var buffer = [CChar](repeating: 0, count: Int(INET_ADDRSTRLEN))
    inet_ntop(AF_INET, &address, &buffer, socklen_t(buffer.count))
    return String(cString: buffer)
  }

  private func relay(_ client: Int32, clientClosed: () -> Void) {
    guard let server = connectToBackend() else {
      Self.answer(client, .unavailable)
      return
    }
    let stopping = lock.withLock {
      relayed.insert(server)
      return stopped
    }
    if stopping { shutdown(server, Int32(SHUT_WR)) }
    defer {
      lock.withLock { _ = relayed.remove(server) }
      close(server)
    }
    var framing = RequestFraming(headLimit: limits.headBytes, bodyLimit: limits.bodyBytes)
    var refusal: RequestFraming.Refusal?
    var reading = true
    var buffer = [UInt8](repeating: 0, count: 64 * 1024)
    while true {
      var descriptors = [
        pollfd(fd: reading ? client : -1, events: Int16(POLLIN), revents: 0),
        pollfd(fd: server, events: Int16(POLLIN), revents: 0),
      ]
      var wait = limits.idleSeconds * 1000
      let headDeadline = framing.headStarted.map { $0 + .seconds(limits.headSeconds) }
      if reading, let headDeadline {
        let left = headDeadline - ContinuousClock.now
        wait = min(wait, max(0, Int((left / .milliseconds(1)).rounded(.up))))
      }
      let ready = poll(&descriptors, 2, Int32(wait))
      if ready < 0 && errno == EINTR { continue }
      if reading, let headDeadline, ContinuousClock.now >= headDeadline {
        refusal = .headTimeout
        reading = false
        shutdown(server, Int32(SHUT_WR))
        continue
      }
      if ready <= 0 { break }
      if descriptors[1].revents != 0 {
        let count = read(server, &buffer, buffer.count)
        if count <= 0 || !Self.writeAll(client, buffer[..<count]) { break }
      }
      if reading && descriptors[0].revents != 0 {
        let count = read(client, &buffer, buffer.count)
        let step =
          count > 0 ? framing.feed(buffer[..<count]) : (forward: [], refusal: nil)
        if !step.forward.isEmpty && !Self.writeAll(server, step.forward[...]) { break }
        if count <= 0 { clientClosed() }
        if count <= 0 || step.refusal != nil {
          // The server answers what it has, sees the end, and closes; the
          // refusal follows those answers.
          refusal = step.refusal
          reading = false
          shutdown(server, Int32(SHUT_WR))
        }
      }
    }
    if let refusal { Self.answer(client, GateAnswer(refusal, limits: limits)) }
  }

  private func connectToBackend() -> Int32? {
    let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    guard fd >= 0 else { return nil }
    var socketAddress = sockaddr_un()
    socketAddress.sun_family = sa_family_t(AF_UNIX)
    withUnsafeMutableBytes(of: &socketAddress.sun_path) { path in
      for (index, byte) in backend.utf8.prefix(path.count - 1).enumerated() { path[index] = byte }
    }
    let connected = withUnsafePointer(to: &socketAddress) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
      }
    }
    guard connected == 0 else {
      close(fd)
      return nil
    }
    return fd
  }

  /// Sends `answer`, then reads what the client still sends (for at most a
  /// second) so that closing does not reset the connection before the
  /// client has read the answer.
  static func answer(_ client: Int32, _ answer: GateAnswer) {
    _ = writeAll(client, Array(answer.response.utf8)[...])
    shutdown(client, Int32(SHUT_WR))
    var timeout = timeval(tv_sec: 1, tv_usec: 0)
    setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    var buffer = [UInt8](repeating: 0, count: 16 * 1024)
    var drained = 0
    while drained < 1 << 20 {
      let count = read(client, &buffer, buffer.count)
      if count <= 0 { break }
      drained += count
    }
  }

  static func writeAll(_ fd: Int32, _ bytes: ArraySlice<UInt8>) -> Bool {
    var rest = bytes
    while !rest.isEmpty {
      let written = rest.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
      if written < 0 && errno == EINTR { continue }
      if written <= 0 { return false }
      rest = rest.dropFirst(written)
    }
    return true
  }
}

/// What the gate answers itself, always closing the connection.
struct GateAnswer {
  var status: String
  var message: String
  var extra: [String] = []

  static func busy(_ connections: Int) -> GateAnswer {
    GateAnswer(
      status: "503 Service Unavailable",
      message: "busy: \(connections) connections are open, the most serve allows",
      extra: ["Retry-After: 1"])
  }

  static func busy(_ connections: Int, from address: String) -> GateAnswer {
    GateAnswer(
      status: "503 Service Unavailable",
      message:
        "busy: \(connections) connections from \(address) are open, the most serve allows "
        + "from one address",
      extra: ["Retry-After: 1"])
  }

  static let unavailable = GateAnswer(
    status: "503 Service Unavailable", message: "the server is stopping")

  init(status: String, message: String, extra: [String] = []) {
    self.status = status
    self.message = message
    self.extra = extra
  }

  init(_ refusal: RequestFraming.Refusal, limits: ConnectionGate.Limits) {
    switch refusal {
    case .headTooLarge:
      self.init(
        status: "431 Request Header Fields Too Large",
        message: "the request's head is larger than \(limits.headBytes) bytes")
    case .bodyTooLarge:
      self.init(
        status: "413 Content Too Large",
        message: "serve is read-only: a request body may have at most \(limits.bodyBytes) bytes")
    case .lengthRequired:
      self.init(
        status: "411 Length Required", message: "a request body needs a Content-Length")
    case .badLength:
      self.init(status: "400 Bad Request", message: "Content-Length is not a number")
    case .badRequestLine:
      self.init(
        status: "400 Bad Request", message: "a request line is METHOD /path HTTP/1.1")
    case .versionNotSupported:
      self.init(
        status: "505 HTTP Version Not Supported", message: "serve speaks HTTP/1.0 and HTTP/1.1")
    case .methodNotAllowed:
      self.init(
        status: "405 Method Not Allowed", message: "read-only: only GET and HEAD are served",
        extra: ["Allow: GET, HEAD"])
    case .headTimeout:
      self.init(
        status: "408 Request Timeout",
        message: "the request's head did not arrive within \(limits.headSeconds) s")
    }
  }

  var response: String {
    let body = message + "\n"
    return
      ([
        "HTTP/1.1 \(status)", "Content-Type: text/plain; charset=utf-8",
        "Content-Length: \(body.utf8.count)", "Connection: close",
        "X-Content-Type-Options: nosniff", "Cache-Control: no-store",
      ] + extra)
      .joined(separator: "\r\n") + "\r\n\r\n" + body
  }
}
