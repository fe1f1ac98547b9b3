import CEGL
import Glibc

/// Opens one platform's display, recording each fd, GBM device and initialized display
/// in the device's table as owners; a failure releases what was made before it.
enum DisplayOpener {
    static func open(_ platform: Platform, table: HandleTable) throws -> DeviceObjects {
        switch platform {
        case .surfaceless:
            var objects = DeviceObjects()
            let display = eglGetPlatformDisplay(EGLenum(EGL_PLATFORM_SURFACELESS_MESA), cv_EGL_DEFAULT_DISPLAY, nil)
            objects.display = try initialize(display, table: table)
            return objects
        case .device:
            var objects = DeviceObjects()
            let display = eglGetPlatformDisplay(EGLenum(EGL_PLATFORM_DEVICE_EXT), try firstEGLDevice(), nil)
            objects.display = try initialize(display, table: table)
            return objects
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
        let names = directoryEntries("/dev/dri")
        let primary = names.filter { $0.hasPrefix("card") }.sorted()
        let render = names.filter { $0.hasPrefix("renderD") }.sorted()
        return (primary + render).map { "/dev/dri/" + $0 }
    }

    private static func openGBM(table: HandleTable) throws -> DeviceObjects {
        guard let node = drmNodes().first else {
            throw PlatformFailure("no DRM node in /dev/dri")
        }
        var objects = DeviceObjects(drmNode: node)
        do {
            let fd = try table.openFile(node, flags: O_RDWR)
            let fdNumber = fd.raw
            objects.drmFD = consume fd
            let gbm = try table.createGBMDevice(fd: fdNumber, node: node)
            let native = UnsafeMutableRawPointer(gbm.raw)
            objects.gbmDevice = consume gbm
            objects.display = try initialize(eglGetPlatformDisplay(EGLenum(EGL_PLATFORM_GBM_KHR), native, nil), table: table)
            return objects
        } catch {
            objects.release()
            throw error
        }
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

    private static func initialize(_ display: EGLDisplay?, table: HandleTable) throws -> OwnedEGLDisplay {
        guard let display else {
            throw CameraViewError.egl(operation: "eglGetPlatformDisplay", code: eglGetError())
        }
        let initialized = try table.initialize(display)
        DriverPin.pinLoadedDrivers()
        return initialized
    }
}

/// A platform that is absent rather than broken (no node, no extension).
struct PlatformFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
