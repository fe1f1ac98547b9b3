import Foundation
import Logging

/// Captures what the library logs, so tests can assert that caller bugs are reported.
enum CapturedLog {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var lines: [String] = []

    /// Installs the capturing handler once per test process.
    static let installed: Void = LoggingSystem.bootstrap { label in Handler(label: label) }

    static func messages(containing text: String) -> [String] {
        lock.withLock { lines.filter { $0.contains(text) } }
    }

    fileprivate static func append(_ line: String) {
        lock.withLock { lines.append(line) }
    }

    struct Handler: LogHandler {
        let label: String
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            CapturedLog.append("\(event.level) \(label): \(event.message)")
        }
    }
}
