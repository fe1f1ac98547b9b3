import Foundation
import Glibc

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

/// glibc's pipe2, which the Glibc module hides behind _GNU_SOURCE: close-on-exec from the
/// start, so a child spawned by another test meanwhile cannot inherit the pipe.
@_silgen_name("pipe2") private func pipe2(_ fds: UnsafeMutablePointer<Int32>, _ flags: Int32) -> Int32

struct ProcessFailure: Error, CustomStringConvertible {
    let description: String
}

enum TestProcess {
    struct Output {
        let status: Int32
        let stdout: Data
        let stderr: String
    }

    /// Runs a program to completion and returns its status (128 + the signal when one
    /// killed it) and output. Spawned with posix_spawn and read with poll: Foundation's
    /// Process needs a CFSocket wakeup pair that cannot be made inside the test VM.
    @discardableResult
    static func capture(_ executable: String, _ arguments: [String], environment: [String: String]? = nil) throws -> Output {
        var out: [Int32] = [-1, -1], err: [Int32] = [-1, -1]
        guard pipe2(&out, O_CLOEXEC) == 0, pipe2(&err, O_CLOEXEC) == 0 else { throw ProcessFailure(description: "pipe2: errno \(errno)") }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, out[1], 1)
        posix_spawn_file_actions_adddup2(&actions, err[1], 2)
        let variables = ProcessInfo.processInfo.environment.merging(environment ?? [:]) { $1 }.map { "\($0)=\($1)" }
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = variables.map { strdup($0) } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executable, &actions, nil, argv, envp)
        close(out[1])
        close(err[1])
        defer {
            close(out[0])
            close(err[0])
        }
        guard spawned == 0 else { throw ProcessFailure(description: "posix_spawn \(executable): errno \(spawned)") }
        var stdout = Data(), stderr = Data()
        var open = [(out[0], 0), (err[0], 1)]
        var buffer = [UInt8](repeating: 0, count: 65536)
        while !open.isEmpty {
            var polls = open.map { pollfd(fd: $0.0, events: Int16(POLLIN), revents: 0) }
            guard poll(&polls, nfds_t(polls.count), -1) >= 0 || errno == EINTR else { break }
            for (index, entry) in polls.enumerated().reversed() where entry.revents != 0 {
                let count = read(entry.fd, &buffer, buffer.count)
                if count > 0 {
                    if open[index].1 == 0 { stdout.append(contentsOf: buffer[..<count]) } else { stderr.append(contentsOf: buffer[..<count]) }
                } else if count == 0 || errno != EINTR {
                    open.remove(at: index)
                }
            }
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let exited = status & 0x7f == 0
        return Output(status: exited ? (status >> 8) & 0xff : 128 + (status & 0x7f), stdout: stdout, stderr: String(decoding: stderr, as: UTF8.self))
    }

    /// Runs a program and throws when it fails.
    static func run(_ executable: String, _ arguments: [String]) throws {
        let output = try capture(executable, arguments)
        guard output.status == 0 else {
            throw ProcessFailure(description: "\(executable) exited \(output.status): \(output.stderr)")
        }
    }
}

