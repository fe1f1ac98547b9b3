import Benchmark
import CameraView
import CameraViewDiagnostics
import HostHarness
import CameraViewGL

/// One 1928x1208 frame through the upload path with and without readback, the dma-buf
/// import path where the device has one, and a view create + close on a warm device.
/// Malloc counts are per iteration: per steady-state frame for the frame benchmarks.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .mallocCountTotal], warmupIterations: 5, maxDuration: .seconds(5), maxIterations: 200)

    let layout = try! NV12Layout(width: 1928, height: 1208)
    let frame = NV12Frame.synthetic(layout: layout)
    let device = try! RenderDevice.open()
    let view = Held<CameraView>(), host = Held<DrawingHost>(), buffer = Held<DeviceBuffer>()
    let image = Held<RenderTarget>()

    // Into a reused image, as a steady stream renders: CameraView itself allocates nothing.
    Benchmark("upload + draw + readback, 1928x1208") { benchmark in
        for _ in benchmark.scaledIterations { try view.value!.render(.memory(frame), into: &image.value!) }
        blackHole(image.value?.image)
    } setup: {
        view.value = try CameraView(device: device)
        image.value = RenderTarget.image()
    } teardown: {
        view.take()?.close()
        _ = image.take()
    }

    Benchmark("upload + draw, no readback, 1928x1208") { benchmark in
        for _ in benchmark.scaledIterations {
            try host.value!.draw(.memory(frame))
            glFinish()
        }
    } setup: {
        host.value = try DrawingHost(device: device, size: layout)
    } teardown: {
        host.take()?.close()
    }

    if (try? device.importCapabilities().perPlane) == true {
        Benchmark("dma-buf import + draw + readback, 1928x1208") { benchmark in
            for _ in benchmark.scaledIterations { try view.value!.render(.dmaBuf(buffer.value!.frame), into: &image.value!) }
            blackHole(image.value?.image)
        } setup: {
            view.value = try CameraView(device: device)
            buffer.value = try DeviceBuffer(copying: frame, on: device)
            image.value = RenderTarget.image()
        } teardown: {
            view.take()?.close()
            buffer.take()?.close()
            _ = image.take()
        }
    }

    Benchmark("view create + close, warm device") { benchmark in
        for _ in benchmark.scaledIterations { try CameraView(device: device).close() }
    }
}

/// What a benchmark's setup makes and its teardown closes (the hooks take no arguments).
final class Held<Value>: @unchecked Sendable {
    var value: Value?

    func take() -> Value? {
        defer { value = nil }
        return value
    }
}

/// A host context with a framebuffer and a view on it, for drawing without reading back.
final class DrawingHost {
    let view: CameraView
    private let host: HostContext
    private let adopted: RenderDevice

    /// Draws `frame` over the host's whole framebuffer.
    func draw(_ frame: Frame) throws {
        var target = host.target
        try view.render(frame, into: &target)
    }

    init(device: RenderDevice, size layout: NV12Layout) throws {
        host = try HostContext(displayOwner: device, size: PixelSize(width: layout.width, height: layout.height))
        adopted = try RenderDevice.adopting(display: host.display, context: host.context)
        view = try CameraView(device: adopted)
    }

    func close() {
        view.close()
        adopted.close()
        host.destroy()
    }
}
