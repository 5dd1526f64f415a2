import Foundation
import Testing

@testable import OrchestrateStatus

/// Mail and HTTP dates written and read by hand, against Foundation's
/// formatter (the implementation they replace in the binary).
@Suite struct InternetDateTests {
  static let moments: [Double] = [0, 951_782_400, 1_445_412_480, 1_796_059_946.9, 4_102_444_799]

  @Test(arguments: moments)
  func writtenAsFoundationWritesThem(seconds: Double) {
    let date = Date(timeIntervalSince1970: seconds)
    let formatter = DateFormatter()
    formatter.locale = Locale(identifier: "en_US_POSIX")
    formatter.timeZone = TimeZone(identifier: "UTC")
    formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss Z"
    #expect(InternetDate.format(date) == formatter.string(from: date))
    #expect(
      InternetDate.parse(InternetDate.format(date))?.timeIntervalSince1970
        == seconds.rounded(.down))
  }

  @Test func readsHTTPDatesAndRefusesTheRest() {
    #expect(
      InternetDate.parse("Wed, 21 Oct 2015 07:28:00 GMT")?.timeIntervalSince1970 == 1_445_412_480)
    for text in [
      "", "soon", "21 Oct 2015 07:28:00 GMT", "Wed, 32 Oct 2015 07:28:00 GMT",
      "Wed, 21 Foo 2015 07:28:00 GMT", "Wed, 21 Oct 2015 24:00:00 GMT",
      "Wed, 21 Oct 2015 07:28:00 CET", "Thu, 29 Feb 2015 07:28:00 GMT",
    ] {
      #expect(InternetDate.parse(text) == nil, "\(text)")
    }
  }
}
