import CEGL
import Glibc

/// A view's zero-copy imports: EGLImages and their textures, cached per ring buffer so
/// steady-state rendering creates none. A buffer index that now names another buffer
/// replaces its entry; a new frame size drops them all; past `capacity` buffers the least
/// recently drawn one is released (a producer whose indices keep growing would otherwise
/// hold an fd, images and textures per index); close() releases everything.
struct DmaBufImporter {
    /// More buffers than any ring we meet holds (V4L2 drivers allocate up to 32).
    static let capacity = 32
    private var entries = RecentlyUsedCache<Int, ImportedBuffer>(capacity: capacity)
    private var size: PixelSize?
    private(set) var imagesCreated = 0
    private(set) var imagesDestroyed = 0
    /// Which foreign buffers the device can read, by file (see `BufferAccessCheck`); as
    /// many files as the importer keeps buffers.
    var accessVerdicts = RecentlyUsedCache<BufferFile, BufferAccessVerdict>(capacity: capacity)

    /// The textures for `frame`, importing it on first sight.
    mutating func textures(
        for frame: DmaBufFrame, path: ImportPath, core: DeviceCore, table: HandleTable, in scope: borrowing ContextScope
    ) throws -> PlaneTextures {
        let identity = try BufferIdentity(frame, path: path)
        if size != frame.size {
            releaseAll(in: scope.teardown)
            size = frame.size
        }
        if let entry = entries.value(for: frame.bufferIndex), entry.identity == identity { return entry.planeTextures }
        let entry = try ImportedBuffer(frame, path: path, identity: identity, core: core, table: table, in: scope)
        imagesCreated += entry.imageCount
        for replaced in entries.insert(entry, for: frame.bufferIndex) { release(replaced, in: scope.teardown) }
        return entry.planeTextures
    }

    mutating func releaseAll(in teardown: Teardown) {
        for entry in entries.removeAll() { release(entry, in: teardown) }
        size = nil
    }

    private mutating func release(_ entry: ImportedBuffer, in teardown: Teardown) {
        entry.release(in: teardown)
        imagesDestroyed += entry.imageCount
    }
}

/// What makes two frames the same buffer: the planes' files (st_dev, st_ino), offsets and
/// pitches, the path they were imported for, and on the external path the colour (its
/// matrix and range are baked into the image as hints).
struct BufferIdentity: Hashable {
    struct Plane: Hashable {
        let file: BufferFile
        let offset: Int
        let pitch: Int
    }

    let luma: Plane
    let chroma: Plane
    let path: ImportPath
    let bakedColor: ColorDescription?

    init(_ frame: DmaBufFrame, path: ImportPath) throws {
        func identify(_ plane: DmaBufPlane) throws -> Plane {
            Plane(file: try BufferFile(plane.fd), offset: plane.offset, pitch: plane.pitch)
        }
        (luma, chroma, self.path) = (try identify(frame.luma), try identify(frame.chroma), path)
        bakedColor = path == .external ? frame.color : nil
    }
}

/// One imported ring buffer: the fds the view dup'd, its EGLImages and their textures,
/// released together (newest first: textures, images, fds). Kept in the importer's cache,
/// so a class.
final class ImportedBuffer {
    let identity: BufferIdentity
    private let objects = OwnerGroup()
    private(set) var planeTextures = PlaneTextures(luma: 0)
    private(set) var imageCount = 0

    init(
        _ frame: DmaBufFrame, path: ImportPath, identity: BufferIdentity, core: DeviceCore, table: HandleTable,
        in scope: borrowing ContextScope
    ) throws {
        self.identity = identity
        try objects.building(scope.teardown) { _ in try importPlanes(of: frame, path: path, core: core, table: table, in: scope) }
    }

    func release(in teardown: Teardown) {
        objects.release(in: teardown)
    }

    private func importPlanes(
        of frame: DmaBufFrame, path: ImportPath, core: DeviceCore, table: HandleTable, in scope: borrowing ContextScope
    ) throws {
        // EGL does not take the fd, but some drivers close it anyway: import our own dup.
        let lumaFD = try duplicate(frame.luma.fd, table: table)
        let chromaFD = frame.chroma.fd == frame.luma.fd ? lumaFD : try duplicate(frame.chroma.fd, table: table)
        switch path {
        case .perPlane:
            let luma = try makeImage(table: table, in: scope, attributes: Self.planeAttributes(
                fourcc: cv_DRM_FORMAT_R8, width: frame.width, height: frame.height, fd: lumaFD, plane: frame.luma))
            let chroma = try makeImage(table: table, in: scope, attributes: Self.planeAttributes(
                fourcc: cv_DRM_FORMAT_GR88, width: frame.size.chroma.width, height: frame.size.chroma.height,
                fd: chromaFD, plane: frame.chroma))
            let lumaTexture = try bind(luma, to: GLenum(GL_TEXTURE_2D), core: core, table: table, in: scope)
            let chromaTexture = try bind(chroma, to: GLenum(GL_TEXTURE_2D), core: core, table: table, in: scope)
            planeTextures = PlaneTextures(luma: lumaTexture, chroma: chromaTexture)
        case .external:
            var attributes = Self.planeAttributes(
                fourcc: cv_DRM_FORMAT_NV12, width: frame.width, height: frame.height, fd: lumaFD, plane: frame.luma)
            let colorSpace = frame.color.matrix == .bt601 ? EGL_ITU_REC601_EXT : EGL_ITU_REC709_EXT
            let range = frame.color.range == .full ? EGL_YUV_FULL_RANGE_EXT : EGL_YUV_NARROW_RANGE_EXT
            attributes += [
                (EGL_DMA_BUF_PLANE1_FD_EXT, Int(chromaFD)),
                (EGL_DMA_BUF_PLANE1_OFFSET_EXT, frame.chroma.offset),
                (EGL_DMA_BUF_PLANE1_PITCH_EXT, frame.chroma.pitch),
                (EGL_YUV_COLOR_SPACE_HINT_EXT, Int(colorSpace)),
                (EGL_SAMPLE_RANGE_HINT_EXT, Int(range)),
            ]
            let image = try makeImage(table: table, in: scope, attributes: attributes)
            let texture = try bind(image, to: GLenum(GL_TEXTURE_EXTERNAL_OES), core: core, table: table, in: scope)
            planeTextures = PlaneTextures(luma: texture)
        case .mappedUpload:
            preconditionFailure("mapped frames are uploaded, not imported")
        }
    }

    private func duplicate(_ fd: Int32, table: HandleTable) throws -> Int32 {
        objects.adopt(try table.create(.duplicate(fd)))
    }

    /// Size, format and plane 0 of a dma-buf image.
    private static func planeAttributes(
        fourcc: UInt32, width: Int, height: Int, fd: Int32, plane: DmaBufPlane
    ) -> [(Int32, Int)] {
        [
            (EGL_WIDTH, width), (EGL_HEIGHT, height), (EGL_LINUX_DRM_FOURCC_EXT, Int(fourcc)),
            (EGL_DMA_BUF_PLANE0_FD_EXT, Int(fd)), (EGL_DMA_BUF_PLANE0_OFFSET_EXT, plane.offset),
            (EGL_DMA_BUF_PLANE0_PITCH_EXT, plane.pitch),
        ]
    }

    private func makeImage(table: HandleTable, in scope: borrowing ContextScope, attributes: [(Int32, Int)]) throws -> EGLImage {
        let image = objects.adopt(try table.create(.dmaBufImage(attributes: attributes), in: scope))
        imageCount += 1
        return image
    }

    private func bind(
        _ image: EGLImage, to target: GLenum, core: DeviceCore, table: HandleTable, in scope: borrowing ContextScope
    ) throws -> GLuint {
        guard let imageTargetTexture2D = core.extensions.imageTargetTexture2D else {
            throw CameraViewError.importPathUnavailable(path: .perPlane, reason: "glEGLImageTargetTexture2DOES is missing")
        }
        let name = objects.adopt(try table.create(.texture, in: scope))
        glBindTexture(target, name)
        defer { glBindTexture(target, 0) }
        imageTargetTexture2D(target, image)
        glTexParameteri(target, GLenum(GL_TEXTURE_MIN_FILTER), GL_NEAREST)
        glTexParameteri(target, GLenum(GL_TEXTURE_MAG_FILTER), GL_NEAREST)
        try GLCheck.noError("glEGLImageTargetTexture2DOES")
        return name
    }
}
