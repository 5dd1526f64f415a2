import Foundation
import OrchestrateKit
import Testing

/// Notifications at the end of runs, against real servers on 127.0.0.1:
/// change-only sequences, retries, the time bound, missing variables,
/// email through a real sendmail, pings, and secrets kept out of every file.
@Suite(.serialized) struct NotifyRunTests {
  static let secretToken = "T0KEN-s3cr3t-path-9f8e7d"
  static let secretAuth = "Bearer auth-s3cr3t-4c5d6e"

  /// A pipeline whose `extract` fails while `<root>/broken` exists.
  func pipeline(_ root: TestRoot, notify: String, extra: String = "") {
    root.write(
      "pipelines/daily.yaml",
      """
      \(extra)
      notify:
      \(notify)
      tasks:
        - name: extract
          run: |
            echo '{"documents_processed": 1500}' >> "$ORCHESTRATE_METRICS"
            if [ -e "$ORCHESTRATE_ROOT/broken" ]; then echo "token expired for $API_KEY" >&2; exit 3; fi
        - name: load
          run: 'true'
          depends_on: [extract]
        - name: index
          run: 'true'
      """)
  }

  /// `notify:` entries that want `success`, one per channel kind and variable.
  func onSuccess(_ channels: KeyValuePairs<String, String>) -> String {
    channels.map { "  - \($0.key): {url_env: \($0.value)}\n    on: [success]" }
      .joined(separator: "\n")
  }

  func run(_ root: TestRoot, _ environment: [String: String]) throws -> Invocation {
    try Orchestrate.run(
      ["daily", "--root", root.path], environment: Orchestrate.cronEnvironment(environment))
  }

  @Test func changesOnlyFailureRepeatAndRecovery() throws {
    let root = TestRoot()
    let server = try RecordingHTTPServer(in: root)
    pipeline(
      root,
      notify: """
          - slack: {url_env: SLACK_WEBHOOK_URL}
          - webhook: {url_env: NOTIFICATION_WEBHOOK, headers_env: {Authorization: WEBHOOK_AUTH}}
            on: [failure, partial, recovery]
            repeat: 24h
        """)
    let environment = [
      "SLACK_WEBHOOK_URL": "\(server.url)/slack/\(Self.secretToken)",
      "NOTIFICATION_WEBHOOK": "\(server.url)/hook/\(Self.secretToken)",
      "WEBHOOK_AUTH": Self.secretAuth, "API_KEY": "not-a-secret-here",
    ]
    func events() -> [String] {
      server.requests().map { request in
        let kind = request.path.hasPrefix("/slack") ? "slack" : "webhook"
        let event =
          request.json?["event"] as? String
          ?? ((request.json?["text"] as? String)?.contains("RECOVERED") == true
            ? "recovery" : "partial")
        return "\(kind):\(event)"
      }
    }

    #expect(try run(root, environment).exitCode == 0)
    #expect(events().isEmpty, "a success after nothing is no change")

    root.write("broken", "")
    let first = try run(root, environment)
    #expect(first.exitCode == 1)
    #expect(events().sorted() == ["slack:partial", "webhook:partial"])

    #expect(try run(root, environment).exitCode == 1)
    #expect(events().count == 2, "still failing within repeat: nothing new")

    // A day passes for the change-only state: the webhook repeats, saying since when.
    let statePath = "\(root.path)/metrics/daily/.notify-state"
    var state = try RecordCoding.decoder().decode(
      NotifyState.self, from: Data(contentsOf: URL(fileURLWithPath: statePath)))
    for key in state.channels.keys {
      state.channels[key]?.lastFailureSentAt = Date().addingTimeInterval(-25 * 3600)
    }
    try RecordCoding.encoder().encode(state).write(to: URL(fileURLWithPath: statePath))
    #expect(try run(root, environment).exitCode == 1)
    #expect(
      events().sorted() == ["slack:partial", "slack:partial", "webhook:partial", "webhook:partial"])
    let repeated = try #require(server.requests().last { $0.path.hasPrefix("/hook") }?.json)
    let since = try #require(repeated["failing_since"] as? [String: Any])
    #expect(since["runs"] as? Int == 3)

    try FileManager.default.removeItem(atPath: "\(root.path)/broken")
    #expect(try run(root, environment).exitCode == 0)
    #expect(
      events().filter { $0.hasSuffix("recovery") }.sorted() == [
        "slack:recovery", "webhook:recovery",
      ])
    #expect(try run(root, environment).exitCode == 0)
    #expect(server.requests().count == 6, "recovery is said once")

    // The webhook's document and headers.
    let partial = try #require(server.requests().first { $0.path.hasPrefix("/hook") })
    #expect(partial.headers["content-type"] == "application/json")
    #expect(partial.headers["user-agent"]?.hasPrefix("orchestrate/") == true)
    #expect(partial.headers["authorization"] == Self.secretAuth)
    let document = try #require(partial.json)
    #expect(document["pipeline"] as? String == "daily")
    #expect(document["status"] as? String == "partial")
    #expect((document["run_id"] as? String)?.hasPrefix("run_") == true)
    let failed = try #require((document["failed_tasks"] as? [[String: Any]])?.first)
    #expect(failed["name"] as? String == "extract")
    #expect((failed["output_tail"] as? String)?.contains("token expired") == true)
    let counters = try #require(document["counters"] as? [String: [String: Double]])
    #expect(counters["extract"]?["documents_processed"] == 1500)
    #expect((document["logs_command"] as? String)?.contains("orchestrate logs run_") == true)

    // Every document has the keys docs/notification.schema.json requires, and no others.
    let schemaData = try Data(
      contentsOf: URL(fileURLWithPath: "\(Orchestrate.packageRoot)/docs/notification.schema.json"))
    let schema = try #require(try JSONSerialization.jsonObject(with: schemaData) as? [String: Any])
    let known = Set((schema["properties"] as? [String: Any] ?? [:]).keys)
    let required = Set(schema["required"] as? [String] ?? [])
    for request in server.requests() where request.path.hasPrefix("/hook") {
      let keys = Set(try #require(request.json).keys)
      #expect(keys.isSubset(of: known), "\(keys.subtracting(known))")
      #expect(required.isSubset(of: keys), "\(required.subtracting(keys))")
    }

    // Slack: a fallback text and blocks with the failed task as code.
    let slack = try #require(server.requests().first { $0.path.hasPrefix("/slack") }?.json)
    #expect((slack["text"] as? String)?.contains("daily PARTIAL on") == true)
    let blocks = try #require(slack["blocks"] as? [[String: Any]])
    #expect(blocks.first?["type"] as? String == "header")
    #expect(
      blocks.contains {
        (($0["text"] as? [String: Any])?["text"] as? String)?.hasPrefix("```") == true
      })

    // Each record says what became of its messages, host only.
    let records = try root.records("daily")
    #expect(records.map { $0.notifications?.count ?? 0 } == [0, 2, 0, 2, 2, 0])
    let sent = try #require(records[1].notifications?.first)
    #expect(sent.delivered && sent.attempts == 1 && sent.httpStatus == 200)
    #expect(sent.host == "127.0.0.1")

    // The secrets are nowhere on disk.
    for file in try filesUnder(root, "metrics") + filesUnder(root, "logs") {
      let data = try Data(contentsOf: URL(fileURLWithPath: file))
      let text = String(decoding: data, as: UTF8.self)
      #expect(!text.contains(Self.secretToken), "\(file) holds the URL's token")
      #expect(!text.contains("auth-s3cr3t"), "\(file) holds the header value")
    }
  }

  @Test func retriesA500ThenDelivers() throws {
    let root = TestRoot()
    let server = try RecordingHTTPServer(in: root, plan: "500,200")
    pipeline(root, notify: onSuccess(["webhook": "HOOK"]))
    let result = try run(root, ["HOOK": "\(server.url)/hook"])
    #expect(result.exitCode == 0)
    #expect(server.requests().count == 2)
    let record = try root.onlyRecord("daily")
    let sent = try #require(record.notifications?.first)
    #expect(sent.delivered && sent.attempts == 2 && sent.httpStatus == 200, "\(sent)")
  }

  @Test func retryAfterIsHonouredWhileItFits() throws {
    let root = TestRoot()
    let soon = try RecordingHTTPServer(in: root, name: "soon", plan: "503+retry=1,200")
    let late = try RecordingHTTPServer(in: root, name: "late", plan: "429+retry=120")
    pipeline(root, notify: onSuccess(["webhook": "SOON", "webhook": "LATE"]))
    let result = try run(root, ["SOON": "\(soon.url)/a", "LATE": "\(late.url)/b"])
    #expect(result.exitCode == 0)
    let notifications = try #require(try root.onlyRecord("daily").notifications)
    #expect(notifications[0].delivered && notifications[0].attempts == 2)
    #expect(!notifications[1].delivered && notifications[1].attempts == 1)
    #expect(notifications[1].error == "HTTP 429 (Retry-After 120s is beyond notify_timeout 30s)")
    #expect(late.requests().count == 1)
  }

  @Test func aDeadEndpointIsAWarningWithinTheBound() throws {
    let root = TestRoot()
    let hanging = try RecordingHTTPServer(in: root, name: "hang", plan: "hang")
    let failing = try RecordingHTTPServer(in: root, name: "fail", plan: "500")
    pipeline(
      root,
      notify: onSuccess(["webhook": "HANGING", "slack": "FAILING", "webhook": "NOT_SET_ANYWHERE"]),
      extra: "notify_timeout: 3s")
    let result = try run(root, ["HANGING": "\(hanging.url)/h", "FAILING": "\(failing.url)/f"])
    #expect(result.exitCode == 0, "a notification never changes the exit code")
    // Without a terminal, the run prints the report cron mails, which names them.
    let lines = result.stdout.split(separator: "\n")
    #expect(
      lines.contains(
        "notify webhook (127.0.0.1): success not delivered: no answer within notify_timeout 3s"),
      "\(result.stdout)")
    #expect(
      lines.contains {
        $0.hasPrefix("notify slack (127.0.0.1): success not delivered") && $0.contains(": HTTP 500")
      }, "\(result.stdout)")
    #expect(
      lines.contains(
        "notify webhook: success not delivered: NOT_SET_ANYWHERE is not set; nothing sent"),
      "\(result.stdout)")
    let record = try root.onlyRecord("daily")
    #expect(record.status == .completed)
    let notifications = try #require(record.notifications)
    #expect(notifications.count == 3)
    #expect(notifications.allSatisfy { !$0.delivered })
    #expect(notifications[1].httpStatus == 500)
    // The run's own log says the same.
    let log = root.read("logs/daily/\(record.runId)/orchestrate.log") ?? ""
    #expect(log.contains("NOT_SET_ANYWHERE is not set"))
  }

  @Test func emailThroughSendmail() throws {
    let root = TestRoot()
    let smtp = try RecordingSMTPServer(in: root)
    pipeline(
      root,
      notify: """
          - email: {to: [etl-oncall@example.org], from: orchestrate@example.org, sendmail: /usr/bin/msmtp}
        """,
      extra: """
        params:
          api_key: {type: string, secret: true, default: k3y-v4lue-hidden}
        """)
    root.write("broken", "")
    let result = try Orchestrate.run(
      ["daily", "--root", root.path],
      environment: Orchestrate.cronEnvironment(["HOME": smtp.home]))
    #expect(result.exitCode == 1)
    let message = try #require(smtp.messages().first, "\(result.stderr)")
    #expect(message.contains("X-Envelope-To: etl-oncall@example.org"))
    #expect(message.contains("Subject: [orchestrate] daily PARTIAL on "), "\(message)")
    #expect(message.contains(": 2 of 3 tasks did not complete"))
    #expect(message.contains("Content-Type: text/plain; charset=utf-8"))
    #expect(message.contains("failed    extract"))
    #expect(message.contains("token expired for ***"), "the secret parameter is masked")
    #expect(!message.contains("k3y-v4lue-hidden"))
    #expect(message.contains("extract: documents_processed 1,500"))
    let record = try root.onlyRecord("daily")
    #expect(record.notifications?.first?.delivered == true)
    #expect(record.notifications?.first?.channel == "email")
  }

  @Test func pingStartAndEnd() throws {
    let root = TestRoot()
    let server = try RecordingHTTPServer(in: root)
    pipeline(root, notify: "  - ping: {url_env: HC_PING_URL}")
    #expect(try run(root, ["HC_PING_URL": "\(server.url)/ping/abc"]).exitCode == 0)
    root.write("broken", "")
    #expect(try run(root, ["HC_PING_URL": "\(server.url)/ping/abc"]).exitCode == 1)
    let paths = server.requests().map(\.path)
    #expect(paths.count == 4, "\(paths)")
    let shapes = paths.map { $0.split(separator: "?").first.map(String.init) ?? $0 }
    #expect(shapes == ["/ping/abc/start", "/ping/abc", "/ping/abc/start", "/ping/abc/1"])
    let rids = paths.compactMap { $0.split(separator: "rid=").last.map(String.init) }
    #expect(rids.count == 4 && rids[0] == rids[1] && rids[2] == rids[3] && rids[0] != rids[2])
    #expect(server.requests().last?.body.contains("token expired") == true)
  }

  @Test func anEnvironmentReplacesThePipelinesChannels() throws {
    let root = TestRoot()
    let server = try RecordingHTTPServer(in: root)
    root.write("prod.env", "PROD_HOOK=\(server.url)/prod-\(Self.secretToken)\n")
    chmod("\(root.path)/prod.env", 0o600)
    pipeline(
      root, notify: "  - webhook: {url_env: MAIN_HOOK}\n    on: [success]",
      extra: """
        environments:
          dev: {}
          prod:
            env_file: prod.env
            notify:
              - webhook: {url_env: PROD_HOOK}
                "on": [success]
        """)
    let environment = Orchestrate.cronEnvironment(["MAIN_HOOK": "\(server.url)/main"])
    try Orchestrate.run(["daily", "--root", root.path, "-e", "dev"], environment: environment)
    #expect(server.requests().isEmpty, "dev tells nobody")
    try Orchestrate.run(["daily", "--root", root.path, "-e", "prod"], environment: environment)
    try Orchestrate.run(["daily", "--root", root.path], environment: environment)
    #expect(server.requests().map(\.path) == ["/prod-\(Self.secretToken)", "/main"])
    for file in try filesUnder(root, "metrics") + filesUnder(root, "logs") {
      let text = String(decoding: try Data(contentsOf: URL(fileURLWithPath: file)), as: UTF8.self)
      #expect(!text.contains(Self.secretToken), "\(file)")
    }
  }

  func filesUnder(_ root: TestRoot, _ directory: String) throws -> [String] {
    let base = "\(root.path)/\(directory)"
    let enumerator = FileManager.default.enumerator(atPath: base)
    var files: [String] = []
    while let name = enumerator?.nextObject() as? String {
      var isDirectory: ObjCBool = false
      if FileManager.default.fileExists(atPath: "\(base)/\(name)", isDirectory: &isDirectory),
        !isDirectory.boolValue
      {
        files.append("\(base)/\(name)")
      }
    }
    #expect(!files.isEmpty)
    return files
  }
}
