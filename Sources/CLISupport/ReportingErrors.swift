import ArgumentParser
import CameraView
import Foundation

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
