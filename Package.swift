// swift-tools-version:6.1
import Foundation
import PackageDescription

// The one version (VERSION at the root): the C library's cv_version() and the installed
// header, SONAME and pkg-config file (scripts/install-c) and the Python package read it.
let version = try! String(contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent().appending(path: "VERSION"),
                          encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)

let package = Package(
    name: "CameraView",
    products: [
        .library(name: "CameraView", targets: ["CameraView"]),
        // V4L2 cameras, file and in-process sources, and the stream view: a compositor that
        // links only the core does not link V4L2.
        .library(name: "CameraViewStreams", targets: ["CameraViewStreams"]),
        .library(name: "CameraViewTesting", targets: ["CameraViewTesting"]),
        // Image comparison (max error, differing pixels, PSNR, diff images) without Testing:
        // what `camview compare` ships with.
        .library(name: "CameraViewComparison", targets: ["CameraViewComparison"]),
        // Leak checks and measurement helpers (LeakCheck, ProcessMemory, Statistics,
        // NV12Frame.synthetic), kept out of the library's own API.
        .library(name: "CameraViewDiagnostics", targets: ["CameraViewDiagnostics"]),
        .library(name: "CameraViewC", type: .dynamic, targets: ["CameraViewC", "CCameraView"]),
        // EGL, GLES 3, GBM and DRM for hosts that embed views in their own context.
        .library(name: "CameraViewGL", targets: ["CameraViewGL"]),
        // What the package's tools share (argument types, one-line errors, progress), and a
        // compositor's own context and framebuffer for tests: for the benchmark package
        // (Benchmarks/Package.swift), which `swift test` here does not build.
        .library(name: "CLISupport", targets: ["CLISupport"]),
        .library(name: "HostHarness", targets: ["HostHarness"]),
        .executable(name: "camview", targets: ["camview"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    ],
    targets: [
        .systemLibrary(
            name: "CEGL",
            pkgConfig: "egl glesv2 gbm libdrm",
            providers: [.apt(["libegl-dev", "libgles-dev", "libgbm-dev", "libdrm-dev", "libegl-mesa0", "libgl1-mesa-dri"])]
        ),
        // V4L2 ioctl numbers (linux-libc-dev's headers; nothing to link).
        .systemLibrary(name: "CV4L2"),
        .systemLibrary(
            name: "CPNG",
            pkgConfig: "libpng",
            providers: [.apt(["libpng-dev"])]
        ),
        .executableTarget(name: "shader-embedder", path: "Sources/shader-embedder"),
        .plugin(
            name: "EmbedShaders",
            capability: .buildTool(),
            dependencies: ["shader-embedder"]
        ),
        .target(
            name: "CameraView",
            dependencies: [
                "CEGL", "CPNG",
                .product(name: "Logging", package: "swift-log"),
            ],
            plugins: ["EmbedShaders"]
        ),
        // VisionIPC's C side: atomics on msgq's shared header, SCM_RIGHTS, the SIGBUS guard.
        .target(name: "CVisionIPC"),
        .target(name: "CameraViewStreams", dependencies: ["CameraView", "CEGL", "CV4L2", "CVisionIPC"]),
        .target(name: "CameraViewComparison", dependencies: ["CameraView"]),
        .target(name: "CameraViewTesting", dependencies: ["CameraView", "CameraViewComparison"]),
        .target(name: "CameraViewGL", dependencies: ["CEGL"]),
        // Examples/: complete programs that CI builds and runs (ExamplesTests).
        .executableTarget(name: "example-swift-host", dependencies: ["CameraView", "CameraViewGL"], path: "Examples/SwiftHost"),
        .target(name: "CameraViewDiagnostics", dependencies: ["CameraView", "CEGL"]),  // CEGL: mallinfo2 (malloc.h)
        // What camview and camview-bench (Benchmarks/) share: argument types, one-line errors, progress.
        .target(name: "CLISupport", dependencies: ["CameraView", .product(name: "ArgumentParser", package: "swift-argument-parser")]),
        .target(name: "CCameraView", path: "Sources/CCameraView",
                cSettings: [.define("CAMERAVIEW_PACKAGE_VERSION", to: "\"\(version)\"")]),
        .target(name: "CameraViewC", dependencies: ["CameraView", "CameraViewStreams", "CCameraView"]),
        // A C program that drives the C API; CAPITests runs it.
        .executableTarget(name: "capi-smoke", dependencies: ["CCameraView", "CameraViewC", "CEGL"], path: "Tests/capi-smoke"),
        .executableTarget(
            name: "camview",
            dependencies: [
                "CameraView", "CameraViewStreams", "CameraViewComparison", "CameraViewDiagnostics", "CLISupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // libFuzzer target for frame layouts, dma-buf planes and PNGs (scripts/fuzz); a normal
        // build replays corpus files.
        .executableTarget(name: "camview-fuzz", dependencies: ["CameraView"]),
        // A compositor's own context and framebuffer, shared by the tests and the benchmarks.
        .target(name: "HostHarness", dependencies: ["CameraView", "CEGL"], path: "Tests/HostHarness"),
        .testTarget(
            name: "CameraViewTests",
            dependencies: [
                "CameraView", "CameraViewStreams", "CameraViewTesting", "CameraViewDiagnostics", "camview", "camview-fuzz", "capi-smoke", "example-swift-host", "CEGL", "CV4L2", "HostHarness",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
