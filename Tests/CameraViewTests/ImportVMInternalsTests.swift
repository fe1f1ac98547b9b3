@testable import CameraView
import Foundation
import Testing

/// Import-path internals on the VM's DRM device (scripts/vm-test).
@Suite(.ledgerChecked, .enabled(if: ProcessInfo.processInfo.environment["CAMERAVIEW_VM"] == "1", "needs the DRM device of scripts/vm-test"))
struct ImportVMInternalsTests {
    /// The external path bakes the matrix and range into the EGLImage as hints: the same
    /// buffer in another colour is another image, the same colour again is the cached one.
    @Test func theExternalImageCacheIsKeyedOnColour() throws {
        let device = try RenderDevice.open()
        defer { device.close() }
        let buffer = try DeviceBuffer(copying: TestFrames.gradient(width: 32, height: 16), on: device)
        defer { buffer.close() }
        let view = try CameraView(device: device)
        defer { view.close() }
        var frame = buffer.frame
        var target = RenderTarget.image()
        // Forced unchecked, as the device's own check forces it (llvmpipe's NV12 images sample black).
        let external = ImportInputs(preference: .forced(.external), capabilities: nil)
        try view.render(.dmaBuf(frame), into: &target, options: RenderOptions(), importing: external)
        frame.color = ColorDescription(matrix: .bt709, range: .limited)
        try view.render(.dmaBuf(frame), into: &target, options: RenderOptions(), importing: external)
        #expect(view.importStatistics == (2, 1), "a new colour is a new image")
        try view.render(.dmaBuf(frame), into: &target, options: RenderOptions(), importing: external)
        #expect(view.importStatistics == (2, 1), "the same colour again is cached")
    }

    /// The probe of the external path cannot even allocate its test buffer: the device
    /// still reports its capabilities (external unverified) and per-plane imports work.
    @Test func aProbeThatCannotRunLeavesThePerPlanePathWorking() throws {
        let device = try RenderDevice.open(platform: .gbm)
        defer { device.close() }
        let (capabilities, injected) = try FaultInjection.failing(creation: 1) { try device.importCapabilities() }
        #expect(injected)
        #expect(capabilities.perPlane && capabilities.externalVerified == false)
        #expect(capabilities.externalNote?.hasPrefix("the known-frame check could not run") == true, "\(String(describing: capabilities.externalNote))")
        let source = try TestFrames.gradient(width: 24, height: 12)
        let buffer = try DeviceBuffer(copying: source, on: device)
        defer { buffer.close() }
        let view = try CameraView(device: device)
        defer { view.close() }
        #expect(try view.render(.dmaBuf(buffer.frame), options: .exact) == ExactModel.render(source))
        #expect(view.lastImportPath == .perPlane)
    }
}
