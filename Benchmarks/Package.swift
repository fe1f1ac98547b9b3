// swift-tools-version:6.1
import PackageDescription

// The benchmarks, a package of their own beside the library's, so that `swift test` there
// builds no benchmark and needs neither ffmpeg nor the malloc interposer:
//   swift build -c release --package-path Benchmarks --product camview-bench   (scripts/bench)
//   swift package --package-path Benchmarks benchmark                          (package-benchmark)
//   swift test --package-path Benchmarks                                       (CI)
let package = Package(
    name: "CameraViewBenchmarks",
    products: [
        .executable(name: "camview-bench", targets: ["camview-bench"]),
    ],
    dependencies: [
        .package(name: "CameraView", path: ".."),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/ordo-one/malloc-interposer", from: "1.6.1"),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        // libyuv and swscale: the CPU peers camview-bench times CameraView against.
        .systemLibrary(
            name: "CPeerConverters",
            pkgConfig: "libswscale libavutil",
            providers: [.apt(["libyuv-dev", "libswscale-dev", "libavutil-dev"])]
        ),
        // Which counted allocations the graphics stack made.
        .target(name: "CAllocationOrigin"),
        // Benchmarks against CPU peers, on an interposed malloc that counts allocations.
        .executableTarget(
            name: "camview-bench",
            dependencies: [
                "CPeerConverters", "CAllocationOrigin",
                .product(name: "CameraView", package: "CameraView"),
                .product(name: "CameraViewC", package: "CameraView"),
                .product(name: "CameraViewDiagnostics", package: "CameraView"),
                .product(name: "CLISupport", package: "CameraView"),
                .product(name: "MallocInterposerSwift", package: "malloc-interposer"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // `swift package benchmark` (ordo-one/package-benchmark).
        .executableTarget(
            name: "CameraViewBenchmarks",
            dependencies: [
                .product(name: "CameraView", package: "CameraView"),
                .product(name: "CameraViewDiagnostics", package: "CameraView"),
                .product(name: "HostHarness", package: "CameraView"),
                .product(name: "CameraViewGL", package: "CameraView"),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/CameraViewBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .testTarget(name: "CameraViewBenchTests", dependencies: ["camview-bench"]),
    ],
    swiftLanguageModes: [.v6]
)
