import Foundation

/// A one-line progress bar, drawn only on a terminal.
public struct ProgressBar {
    public let total: Int
    public let enabled: Bool

    public init(total: Int, enabled: Bool) {
        (self.total, self.enabled) = (total, enabled)
    }

    public func update(_ done: Int) {
        guard enabled else { return }
        let width = 40
        let filled = total > 0 ? done * width / total : width
        let bar = String(repeating: "#", count: filled) + String(repeating: " ", count: width - filled)
        FileHandle.standardOutput.write(Data("\r[\(bar)] \(done)/\(total)".utf8))
    }

    public func finish() {
        if enabled { print("") }
    }
}
