import CEGL
import Foundation

/// An initialized EGL display and, for GBM, the DRM node under it.
struct OpenedDisplay {
    let display: EGLDisplay
    let drmNode: String?
    var gbmDevice: OpaquePointer? = nil
}

/// Opens one platform's display, recording each fd, GBM device and initialized display
/// in the device's table. On failure the caller closes that table.
enum DisplayOpener {
    static func open(_ platform: Platform, table: HandleTable) throws -> OpenedDisplay {
        switch platform {
        case .surfaceless:
            let display = eglGetPlatformDisplay(
                EGLenum(EGL_PLATFORM_SURFACELESS_MESA), cv_EGL_DEFAULT_DISPLAY, nil)
            return OpenedDisplay(display: try initialize(display, table: table), drmNode: nil)
        case .device:
            let display = eglGetPlatformDisplay(EGLenum(EGL_PLATFORM_DEVICE_EXT), try firstEGLDevice(), nil)
            return OpenedDisplay(display: try initialize(display, table: table), drmNode: nil)
        case .gbm:
            return try openGBM(table: table)
        case .host:
            throw PlatformFailure("a host context is adopted, not opened")
        }
    }

    /// Primary nodes first, then render nodes: Mesa's software GBM backend (kms_swrast,
    /// what a vgem or virtual device gets) allocates dumb buffers, which render nodes
    /// refuse with EACCES; rendering needs no DRM master on either.
    static func drmNodes() -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "/dev/dri")) ?? []
        let primary = names.filter { $0.hasPrefix("card") }.sorted()
        let render = names.filter { $0.hasPrefix("renderD") }.sorted()
        return (primary + render).map { "/dev/dri/" + $0 }
    }

    private static func openGBM(table: HandleTable) throws -> OpenedDisplay {
        guard let node = drmNodes().first else {
            throw PlatformFailure("no DRM node in /dev/dri")
        }
        let fd = try table.create(.fd, operation: "open \(node)", file: #fileID, line: #line, function: #function) {
            let fd = Glibc.open(node, O_RDWR | O_CLOEXEC)
            guard fd >= 0 else { throw CameraViewError.io(operation: "open", path: node, errno: errno) }
            return UInt64(fd)
        }
        let gbm = try table.create(.gbmDevice, operation: "gbm_create_device", file: #fileID, line: #line, function: #function) {
            guard let device = gbm_create_device(Int32(fd.raw)) else {
                throw CameraViewError.io(operation: "gbm_create_device", path: node, errno: errno)
            }
            return UInt64(pointer: device)
        }
        let native = UnsafeMutableRawPointer(bitPattern: UInt(gbm.raw))
        let display = eglGetPlatformDisplay(EGLenum(EGL_PLATFORM_GBM_KHR), native, nil)
        return OpenedDisplay(display: try initialize(display, table: table), drmNode: node, gbmDevice: OpaquePointer(native))
    }

    private static func firstEGLDevice() throws -> EGLDeviceEXT? {
        guard let address = eglGetProcAddress("eglQueryDevicesEXT") else {
            throw PlatformFailure("EGL_EXT_device_enumeration is not available")
        }
        let queryDevices = unsafeBitCast(address, to: PFNEGLQUERYDEVICESEXTPROC.self)
        var devices = [EGLDeviceEXT?](repeating: nil, count: 8)
        var count: EGLint = 0
        guard queryDevices(EGLint(devices.count), &devices, &count) == EGL_TRUE, count > 0 else {
            throw PlatformFailure("eglQueryDevicesEXT found no device")
        }
        return devices[0]
    }

    private static func initialize(_ display: EGLDisplay?, table: HandleTable) throws -> EGLDisplay {
        guard let display else {
            throw CameraViewError.egl(operation: "eglGetPlatformDisplay", code: eglGetError())
        }
        _ = try table.create(.eglDisplay, operation: "eglInitialize", file: #fileID, line: #line, function: #function) {
            var major: EGLint = 0, minor: EGLint = 0
            guard eglInitialize(display, &major, &minor) == EGL_TRUE else {
                throw CameraViewError.egl(operation: "eglInitialize", code: eglGetError())
            }
            return UInt64(pointer: display)
        }
        DriverPin.pinLoadedDrivers()
        return display
    }
}

/// A platform that is absent rather than broken (no node, no extension).
struct PlatformFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
