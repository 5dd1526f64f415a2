/// Checks `notify:` entries the way `PipelineValidator` checks the rest:
/// one positioned error for the first problem.
struct NotifyValidator {
  var file: String

  func settings(
    _ definitions: [NotifyChannelDefinition]?, timeout: DurationSetting?, field: String,
    timeoutField: String
  ) throws(PipelineError) -> NotifySettings? {
    var bound = NotifySettings.defaultTimeout
    switch timeout {
    case .after(let duration):
      guard duration > .zero else {
        throw PipelineError(file: file, field: timeoutField, message: "must be longer than zero")
      }
      bound = duration
    case .never:
      // The point of the bound is that a dead endpoint never holds a run.
      throw PipelineError(file: file, field: timeoutField, message: "cannot be 'never'")
    case nil: break
    }
    guard let definitions else {
      return timeout == nil ? nil : NotifySettings(channels: [], timeout: bound)
    }
    var channels: [NotifyChannel] = []
    for (index, definition) in definitions.enumerated() {
      channels.append(try channel(definition, field: "\(field)[\(index)]"))
    }
    return NotifySettings(channels: channels, timeout: bound)
  }

  private func channel(_ definition: NotifyChannelDefinition, field: String) throws(PipelineError)
    -> NotifyChannel
  {
    func fail(_ message: String, _ key: String? = nil) -> PipelineError {
      PipelineError(
        file: file, line: definition.line, field: key.map { "\(field).\($0)" } ?? field,
        message: message)
    }
    let given = [
      ("webhook", definition.webhook != nil), ("slack", definition.slack != nil),
      ("email", definition.email != nil), ("ping", definition.ping != nil),
    ].filter(\.1).map(\.0)
    guard given.count == 1 else {
      throw fail(
        given.isEmpty
          ? "needs one of: webhook, slack, email, ping"
          : "has \(given.joined(separator: " and ")); write one channel per entry")
    }
    let kind: NotifyChannel.Kind
    if let webhook = definition.webhook {
      let url = try urlVariable(webhook, field: "\(field).webhook", fail: fail)
      var headers: [String: String] = [:]
      for (header, variable) in webhook.headersEnv ?? [:] {
        guard Self.isHeaderName(header) else {
          throw fail("'\(header)' is not an HTTP header name", "webhook.headers_env")
        }
        guard Self.isVariableName(variable) else {
          throw fail(
            "'\(variable)' is not an environment variable name", "webhook.headers_env.\(header)")
        }
        headers[header] = variable
      }
      kind = .webhook(urlVariable: url, headerVariables: headers)
    } else if let slack = definition.slack {
      if slack.headersEnv != nil { throw fail("applies to webhook only", "slack.headers_env") }
      kind = .slack(urlVariable: try urlVariable(slack, field: "\(field).slack", fail: fail))
    } else if let ping = definition.ping {
      if ping.headersEnv != nil { throw fail("applies to webhook only", "ping.headers_env") }
      kind = .ping(urlVariable: try urlVariable(ping, field: "\(field).ping", fail: fail))
    } else {
      let email = definition.email!
      if email.to.isEmpty { throw fail("needs at least one address", "email.to") }
      for address in email.to + [email.from].compactMap({ $0 }) where !Self.isAddress(address) {
        throw fail("'\(address)' is not an email address", "email")
      }
      let sendmail = email.sendmail ?? NotifyChannel.defaultSendmail
      if sendmail.isEmpty { throw fail("is empty", "email.sendmail") }
      kind = .email(to: email.to, from: email.from, sendmail: sendmail)
    }

    var events = Set<NotifyEvent>()
    for name in definition.on ?? [] {
      guard let event = NotifyEvent(rawValue: name), event != .test else {
        var message =
          "'\(name)' is not an event (events: \(NotifyEvent.subscribable.map(\.rawValue).joined(separator: ", ")))"
        if let guess = closestMatch(
          to: name, in: Set(NotifyEvent.subscribable.map(\.rawValue)))
        {
          message = "'\(name)' is not an event (did you mean '\(guess)'?)"
        }
        throw fail(message, "on")
      }
      events.insert(event)
    }
    if case .ping = kind {
      if let wrong = events.subtracting(NotifyChannel.pingEvents).sorted().first {
        throw fail(
          "a ping reports runs only (start, success, partial, failure), not '\(wrong.rawValue)'",
          "on")
      }
      if definition.everyRun == false {
        throw fail("a ping is sent for every run; a cron monitor counts on it", "every_run")
      }
    }
    var repeatAfter: Duration? = NotifyChannel.defaultRepeat
    switch definition.repeatAfter {
    case .after(let duration):
      guard duration > .zero else { throw fail("must be longer than zero", "repeat") }
      repeatAfter = duration
    case .never: repeatAfter = nil
    case nil: break
    }
    let isPing = if case .ping = kind { true } else { false }
    return NotifyChannel(
      kind: kind,
      events: definition.on == nil
        ? (isPing ? NotifyChannel.pingEvents : NotifyChannel.defaultEvents) : events,
      everyRun: isPing || (definition.everyRun ?? false), repeatAfter: repeatAfter)
  }

  private func urlVariable(
    _ endpoint: EndpointDefinition, field: String,
    fail: (String, String?) -> PipelineError
  ) throws(PipelineError) -> String {
    let key = String(field.split(separator: ".").last!)
    if endpoint.hasLiteralURL {
      throw fail(
        "URLs are secrets and are not written in the pipeline file: put it in an environment "
          + "variable and write url_env: NAME", "\(key).url")
    }
    if endpoint.hasLiteralHeaders {
      throw fail(
        "header values are secrets and are not written in the pipeline file: write "
          + "headers_env: {Header: VARIABLE}", "\(key).headers")
    }
    guard let variable = endpoint.urlEnv else {
      throw fail("needs url_env: the environment variable that holds the URL", key)
    }
    guard Self.isVariableName(variable) else {
      throw fail("'\(variable)' is not an environment variable name", "\(key).url_env")
    }
    return variable
  }

  static func isVariableName(_ name: String) -> Bool {
    guard let first = name.utf8.first, !(UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first)
    else { return false }
    return name.utf8.allSatisfy { byte in
      byte == UInt8(ascii: "_") || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
        || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
        || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
    }
  }

  /// RFC 9110 token characters.
  static func isHeaderName(_ name: String) -> Bool {
    !name.isEmpty
      && name.utf8.allSatisfy { byte in
        byte > 0x20 && byte < 0x7F && !"()<>@,;:\\\"/[]?={}".utf8.contains(byte)
      }
  }

  /// Enough to catch a typo and a header injection; the MTA judges the rest.
  static func isAddress(_ text: String) -> Bool {
    let parts = text.split(separator: "@", omittingEmptySubsequences: false)
    return parts.count == 2 && !parts[0].isEmpty && !parts[1].isEmpty
      && !text.utf8.contains(where: { $0 <= 0x20 || $0 == UInt8(ascii: ",") || $0 == 0x7F })
  }
}
