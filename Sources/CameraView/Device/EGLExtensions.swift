import CEGL

/// Extension entry points, loaded with eglGetProcAddress (the headers' prototypes are not
/// enabled), and what the display supports of them.
struct EGLExtensions: @unchecked Sendable {
    let imageTargetTexture2D: PFNGLEGLIMAGETARGETTEXTURE2DOESPROC?
    let queryDmaBufFormats: PFNEGLQUERYDMABUFFORMATSEXTPROC?
    let dmaBufImport: Bool
    let externalImages: Bool

    init(info: DeviceInfo) {
        func load<Function>(_ name: String, as type: Function.Type) -> Function? {
            eglGetProcAddress(name).map { unsafeBitCast($0, to: type) }
        }
        imageTargetTexture2D = load("glEGLImageTargetTexture2DOES", as: PFNGLEGLIMAGETARGETTEXTURE2DOESPROC.self)
        let hasModifiers = info.eglExtensions.contains("EGL_EXT_image_dma_buf_import_modifiers")
        queryDmaBufFormats = hasModifiers ? load("eglQueryDmaBufFormatsEXT", as: PFNEGLQUERYDMABUFFORMATSEXTPROC.self) : nil
        dmaBufImport = info.dmaBufImport && info.glExtensions.contains("GL_OES_EGL_image") && imageTargetTexture2D != nil
        externalImages = info.glExtensions.contains("GL_OES_EGL_image_external_essl3")
    }
}

/// Client extensions (those of EGL_NO_DISPLAY), read once per process.
enum EGLClientExtensions {
    private static let names: Set<Substring> = {
        Set((eglQueryString(cv_EGL_NO_DISPLAY, EGL_EXTENSIONS).map { String(cString: $0) } ?? "").split(separator: " "))
    }()

    /// EGL_KHR_display_reference: displays asked for with EGL_TRACK_REFERENCES_KHR count
    /// their initializations, so terminating ours leaves other users' in place.
    static var displayReference: Bool { names.contains("EGL_KHR_display_reference") }
}
