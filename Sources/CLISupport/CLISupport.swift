import ArgumentParser
import CameraView
import Foundation

extension ColorMatrix: ExpressibleByArgument {}
extension ColorRange: ExpressibleByArgument {}
extension FitMode: ExpressibleByArgument {}
extension SampleFilter: ExpressibleByArgument {}

/// The spellings of `--chroma-location`.
public enum ChromaLocationArgument: String, ExpressibleByArgument, CaseIterable {
    case left, center
    case topLeft = "top-left"

    public var location: ChromaLocation {
        switch self {
        case .left: .left
        case .center: .center
        case .topLeft: .topLeft
        }
    }
}

extension PixelSize: ExpressibleByArgument {
    /// Parses "WIDTHxHEIGHT", e.g. "1928x1208".
    public init?(argument: String) {
        let parts = argument.lowercased().split(separator: "x")
        guard parts.count == 2, let width = Int(parts[0]), let height = Int(parts[1]), width > 0, height > 0 else {
            return nil
        }
        self.init(width: width, height: height)
    }
}

/// The spellings of `--import-path`.
public enum ImportPathArgument: String, ExpressibleByArgument, CaseIterable {
    case automatic
    case perPlane = "per-plane"
    case external
    case mappedUpload = "mapped-upload"

    public var preference: ImportPathPreference {
        switch self {
        case .automatic: .automatic
        case .perPlane: .forced(.perPlane)
        case .external: .forced(.external)
        case .mappedUpload: .forced(.mappedUpload)
        }
    }
}

/// Prints `value` as pretty, key-sorted JSON: every `--json` output of the tools.
public func printJSON(_ value: some Encodable) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    print(String(decoding: try encoder.encode(value), as: UTF8.self))
}

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

/// Library and I/O errors become one line on stderr and exit status 1.
public func reportingErrors(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let error as CameraViewError {
        FileHandle.standardError.write(Data("camview: error: \(error)\n".utf8))
        throw ExitCode.failure
    } catch let error as CocoaError {
        let path = (error.userInfo[NSFilePathErrorKey] as? String).map { "\($0): " } ?? ""
        FileHandle.standardError.write(Data("camview: error: \(path)\(error.localizedDescription)\n".utf8))
        throw ExitCode.failure
    }
}

extension ParsableCommand {
    /// The `main` of camview and camview-bench: errors are one line on stderr, exit status
    /// 2 for usage errors (bad or missing arguments), 1 for failures while running (see
    /// `reportingErrors`).
    public static func mainWithOneLineErrors() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            let code = exitCode(for: error)
            guard code != .success, !(error is ExitCode) else { exit(withError: error) }
            let message = message(for: error).split(separator: "\n").first.map(String.init) ?? "\(error)"
            FileHandle.standardError.write(Data("\(configuration.commandName ?? "camview"): \(message) (see --help)\n".utf8))
            Foundation.exit(code == .validationFailure ? 2 : 1)
        }
    }
}
