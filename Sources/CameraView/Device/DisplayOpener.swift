import CEGL
import Glibc

/// Opens one platform's display, recording each fd, GBM device and display it may
/// terminate in the device's table and adopting them into the device's group as it makes
/// them (the group's release unwinds a failure).
enum DisplayOpener {
    static func open(_ platform: Platform, into objects: OwnerGroup, table: HandleTable) throws -> OpenedDisplay {
        switch platform {
        case .surfaceless:
            return try openShared(EGLenum(EGL_PLATFORM_SURFACELESS_MESA), native: cv_EGL_DEFAULT_DISPLAY, into: objects, table: table)
        case .device:
            return try openShared(EGLenum(EGL_PLATFORM_DEVICE_EXT), native: try firstEGLDevice(), into: objects, table: table)
        case .gbm:
            return try openGBM(into: objects, table: table)
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

    /// A platform whose display EGL hands to every caller of the process with the same
    /// native display: a host may have initialized it too, and eglInitialize is not
    /// reference counted, so our eglTerminate would end the host's use of it. Where EGL
    /// offers EGL_KHR_display_reference, a display of our own that tracks references is
    /// asked for and terminated as usual; elsewhere (Mesa 22.3) the shared display is
    /// initialized once and kept so for the process.
    private static func openShared(_ platform: EGLenum, native: UnsafeMutableRawPointer?, into objects: OwnerGroup, table: HandleTable) throws -> OpenedDisplay {
        if EGLClientExtensions.displayReference {
            let attributes: [EGLAttrib] = [EGLAttrib(EGL_TRACK_REFERENCES_KHR), EGLAttrib(EGL_TRUE), EGLAttrib(EGL_NONE)]
            let display = try platformDisplay(eglGetPlatformDisplay(platform, native, attributes))
            objects.adopt(try initialize(display, table: table))
            return OpenedDisplay(display: display, gbmDevice: nil, drmNode: nil)
        }
        let display = try platformDisplay(eglGetPlatformDisplay(platform, native, nil))
        try table.initializeShared(display)
        DriverPin.pinLoadedDrivers()
        return OpenedDisplay(display: display, gbmDevice: nil, drmNode: nil)
    }

    private static func openGBM(into objects: OwnerGroup, table: HandleTable) throws -> OpenedDisplay {
        guard let node = drmNodes().first else {
            throw PlatformFailure("no DRM node in /dev/dri")
        }
        let fd = objects.adopt(try table.create(.open(node, flags: O_RDWR)))
        let gbm = objects.adopt(try table.create(.gbmDevice(fd: fd, node: node)))
        // The display of our own GBM device: nobody else gets it from EGL.
        let display = try platformDisplay(eglGetPlatformDisplay(EGLenum(EGL_PLATFORM_GBM_KHR), UnsafeMutableRawPointer(gbm), nil))
        objects.adopt(try initialize(display, table: table))
        return OpenedDisplay(display: display, gbmDevice: gbm, drmNode: node)
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

    private static func platformDisplay(_ display: EGLDisplay?) throws -> EGLDisplay {
        guard let display else {
            throw CameraViewError.egl(operation: "eglGetPlatformDisplay", code: eglGetError())
        }
        return display
    }

    private static func initialize(_ display: EGLDisplay, table: HandleTable) throws -> OwnedEGLDisplay {
        let initialized = try table.create(.initialized, on: display)
        DriverPin.pinLoadedDrivers()
        return initialized
    }
}

/// A platform that is absent rather than broken (no node, no extension).
struct PlatformFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

extension Platform {
    /// The platforms to try, in order: the forced one, or GBM then surfaceless.
    static func candidates(forced: Platform?) throws(CameraViewError) -> [Platform] {
        if let forced {
            guard forced != .host else { throw .unknownPlatform("host (use RenderDevice.adopting)") }
            return [forced]
        }
        if let name = environment(environmentVariable), !name.isEmpty {
            guard let platform = Platform(rawValue: name), platform != .host else { throw .unknownPlatform(name) }
            return [platform]
        }
        return [.gbm, .surfaceless]
    }
}
