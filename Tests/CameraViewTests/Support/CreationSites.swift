import CameraView
import CameraViewStreams
import Foundation

/// Every place the library creates a tracked object: each `create` call of one of the ways a
/// kind is made (the `Creation` members of `Handles/*Objects.swift`) on a handle table,
/// outside the owners' layer or inside it (fds that arrive with a message are recorded
/// where they arrive), and each shared display's initialization, as `CreationSite`'s file
/// and line name them. A fault walk reaches a site
/// when a creation is attempted there; the walks together must reach all of them.
enum CreationSites {
    struct Site: Hashable, CustomStringConvertible {
        let file: String
        let line: Int
        /// The source line, for messages.
        let text: String

        static func == (a: Site, b: Site) -> Bool { a.file == b.file && a.line == b.line }
        func hash(into hasher: inout Hasher) { hasher.combine(file); hasher.combine(line) }
        var description: String { "\(file):\(line) \(text)" }
    }

    /// The library's modules: each has its own owners' layer (`Handles/`).
    static let modules = ["CameraView", "CameraViewStreams"]

    static let all: Set<Site> = {
        var constructors: Set<String> = []
        for module in modules {
            let handles = TestPaths.packageRoot + "/Sources/\(module)/Handles"
            for name in (try? FileManager.default.contentsOfDirectory(atPath: handles)) ?? [] where name.hasSuffix("Objects.swift") {
                let text = (try? String(contentsOfFile: handles + "/" + name, encoding: .utf8)) ?? ""
                for match in text.matches(of: /\n    (?:package |fileprivate )?(?:static |)(?:func|var) ([A-Za-z]+)[(:]/) { constructors.insert(String(match.1)) }
            }
        }
        var sites: Set<Site> = []
        for module in modules {
            let sources = TestPaths.packageRoot + "/Sources/\(module)"
            let files = FileManager.default.enumerator(atPath: sources)?.compactMap { $0 as? String } ?? []
            for path in files where path.hasSuffix(".swift") {
                let text = (try? String(contentsOfFile: sources + "/" + path, encoding: .utf8)) ?? ""
                // In the owners' layer only calls count (its `Creation` members are definitions).
                let call = path.hasPrefix("Handles/")
                    ? /(?:^|[^A-Za-z0-9_])table\.create\(\.([A-Za-z]+)[(,]/
                    : /(?:^|[^A-Za-z0-9_])(?:table|handles)\.(?:create\(\.)?([A-Za-z]+)[(,]/
                for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                    for match in line.matches(of: call) where constructors.contains(String(match.1)) {
                        let file = module + "/" + (path.split(separator: "/").last.map(String.init) ?? path)
                        sites.insert(Site(file: file, line: index + 1, text: line.trimmingCharacters(in: .whitespaces)))
                    }
                }
            }
        }
        return sites
    }()

    /// The sites only a DRM device or a camera reaches (GBM, dma-buf imports, V4L2): the
    /// VM's walks must reach these, the host's walks all the others.
    static let deviceOnly: Set<Site> = all.filter { site in
        let files = ["GBMSurface.swift", "SurfaceObjects.swift", "CaptureStream.swift", "DeviceBuffer.swift", "DmaBufImporter.swift",
                     "BufferAccessCheck.swift", "CameraDevices.swift"]
        // The GBM platform's node, GBM device and owned display.
        return files.contains { site.file.hasSuffix("/" + $0) }
            || (site.file.hasSuffix("/DisplayOpener.swift") && !site.text.contains("initializeShared"))
    }

    /// The sites among `expected` no walk reached; `reached` as the ledger recorded them.
    static func unreached(_ expected: Set<Site>, by reached: Set<CreationSite>) -> [Site] {
        let seen = Set(reached.map { "\($0.file):\($0.line)" })
        return expected.filter { !seen.contains("\($0.file):\($0.line)") }.sorted { "\($0)" < "\($1)" }
    }
}
