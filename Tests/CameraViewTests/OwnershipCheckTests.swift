import Foundation
import Testing

/// `scripts/check-ownership` reads what the compiler emitted. Every way a raw creation or
/// deletion can be written outside the owners' layer, each compiled into an object of its
/// own, is caught and named; a clean object passes.
@Suite struct OwnershipCheckTests {
    /// (file, source, the symbol the check must name). Swift files see CEGL like the library.
    static let planted: [(file: String, source: String, symbol: String)] = [
        ("memfd.c", "#define _GNU_SOURCE\n#include <sys/mman.h>\nint f(void) { return memfd_create(\"x\", 0); }", "memfd_create"),
        ("socket.swift", "import Glibc\nfunc f() -> Int32 { socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0) }", "socket"),
        ("eventfd.c", "#include <sys/eventfd.h>\nint f(void) { return eventfd(0, 0); }", "eventfd"),
        ("timerfd.c", "#include <sys/timerfd.h>\n#include <time.h>\nint f(void) { return timerfd_create(CLOCK_MONOTONIC, 0); }", "timerfd_create"),
        ("openat.swift", "import Glibc\nfunc f() -> Int32 { openat(AT_FDCWD, \"/\", O_RDONLY) }", "openat"),
        ("pipe.swift", "import Glibc\nfunc f() -> Int32 { var fds: [Int32] = [0, 0]; return pipe(&fds) }", "pipe"),
        ("fopen.swift", "import Glibc\nfunc f() -> UnsafeMutablePointer<FILE>? { fopen(\"/x\", \"r\") }", "fopen"),
        ("gbmimport.swift", "import CEGL\nfunc f(_ d: OpaquePointer) -> OpaquePointer? { gbm_bo_import(d, 0, nil, 0) }", "gbm_bo_import"),
        ("programv.c", "#include <GLES3/gl31.h>\nGLuint f(void) { return glCreateShaderProgramv(0, 0, 0); }", "glCreateShaderProgramv"),
        ("spaced.swift", "import Glibc\nfunc f() { _ = close (3) }", "close"),
        ("reference.swift", "import CEGL\nfunc f() { let delete = glDeleteTextures; var name: GLuint = 1; delete(1, &name) }", "glDeleteTextures"),
        ("oneline.swift", "import Glibc\nstruct S { func close() { _ = Glibc.close(3) } }", "close"),
        ("overlay.swift", "import Glibc\nfunc f() -> Int32 { open(\"/x\", O_RDONLY) }", "open"),
        ("byname.swift", "import CEGL\nfunc f() -> Any? { eglGetProcAddress(\"eglCreateImageKHR\") }", "eglCreateImageKHR (loaded by name)"),
        ("mapping.c", "#define _GNU_SOURCE\n#include <sys/mman.h>\n#include <unistd.h>\nvoid *f(int fd) { close(dup(fd)); return mmap64(0, 4096, PROT_READ, MAP_PRIVATE, fd, 0); }", "mmap64"),
    ]

    @Test func plantedCallsOfEveryFormAreCaughtAndACleanObjectPasses() throws {
        let work = TestPaths.scratch + "/ownership-\(getpid())"
        try? FileManager.default.removeItem(atPath: work)
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: work) }
        for (file, source, _) in Self.planted {
            // One module: each file's function gets a name of its own.
            let named = source.replacingOccurrences(of: "func f(", with: "func planted_\(file.split(separator: ".")[0])(")
            try named.write(toFile: work + "/" + file, atomically: true, encoding: .utf8)
        }
        try "func f() -> Int { 42 }\n".write(toFile: work + "/clean.swift", atomically: true, encoding: .utf8)
        let swiftFiles = (Self.planted.map(\.file).filter { $0.hasSuffix(".swift") } + ["clean.swift"]).joined(separator: " ")
        let root = TestPaths.packageRoot
        let compile = """
            cd '\(work)' && swiftc -c -parse-as-library -module-name Planted -I '\(root)/Sources/CEGL' \
              $(pkg-config --cflags-only-I libdrm | sed 's/-I/-Xcc -I/g') \(swiftFiles) && for c in *.c; do cc -c "$c" -o "$c.o" || exit 1; done
            """
        let compiled = try TestProcess.capture("/bin/bash", ["-c", compile])
        try #require(compiled.status == 0, "compiling the planted files: \(compiled.stderr)")
        for (file, _, symbol) in Self.planted {
            let object = work + "/" + (file.hasSuffix(".c") ? file + ".o" : file.replacingOccurrences(of: ".swift", with: ".o"))
            let result = try TestProcess.capture(root + "/scripts/check-ownership", [object])
            let output = String(decoding: result.stdout, as: UTF8.self)
            #expect(result.status == 1 && output.contains(symbol), "\(file): status \(result.status), \(output) \(result.stderr)")
        }
        let clean = try TestProcess.capture(root + "/scripts/check-ownership", [work + "/clean.o"])
        #expect(clean.status == 0, "\(String(decoding: clean.stdout, as: UTF8.self)) \(clean.stderr)")
    }
}
