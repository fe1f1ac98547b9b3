import Foundation

enum TestPaths {
    /// The package root, found from this source file's location.
    static let packageRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        while url.path != "/" && !FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) {
            url.deleteLastPathComponent()
        }
        return url.path
    }()

    /// Generated inputs, shared by the tests of one run.
    static let scratch: String = {
        let path = packageRoot + "/.build/test-scratch"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }()

    /// The camview binary built beside the test bundle.
    static var camview: String { product("camview") }

    /// A product of this package built beside the test bundle.
    static func product(_ name: String) -> String {
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent(name).path
        return FileManager.default.isExecutableFile(atPath: beside) ? beside : packageRoot + "/.build/debug/" + name
    }
}

struct ProcessFailure: Error, CustomStringConvertible {
    let description: String
}

enum TestProcess {
    struct Output {
        let status: Int32
        let stdout: Data
        let stderr: String
    }

    /// Runs a program to completion and returns its status and output.
    @discardableResult
    static func capture(_ executable: String, _ arguments: [String], environment: [String: String]? = nil) throws -> Output {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // stderr is short (error lines only), so reading stdout first cannot stall.
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        try out.fileHandleForReading.close()
        try err.fileHandleForReading.close()
        return Output(status: process.terminationStatus, stdout: stdout, stderr: String(decoding: stderr, as: UTF8.self))
    }

    /// Runs a program and throws when it fails.
    static func run(_ executable: String, _ arguments: [String]) throws {
        let output = try capture(executable, arguments)
        guard output.status == 0 else {
            throw ProcessFailure(description: "\(executable) exited \(output.status): \(output.stderr)")
        }
    }
}

