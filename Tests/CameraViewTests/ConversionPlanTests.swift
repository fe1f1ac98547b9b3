@testable import CameraView
import CEGL
import Testing

/// The one place a render's path is decided, and the uniforms each program gets.
@Suite(.ledgerChecked) struct ConversionPlanTests {
    let frame = try! TestFrames.gradient(width: 64, height: 48)
    static let noImports = ImportInputs(preference: .automatic, capabilities: nil)

    private func plan(
        _ frame: Frame, importPath: ImportPath? = nil, target: RenderTarget = .image(), options: RenderOptions = RenderOptions(),
        cache: DisplayCache.Key? = nil
    ) throws -> ConversionPlan {
        let imports = ImportInputs(preference: importPath.map { .forced($0) } ?? .automatic, capabilities: nil)
        return try ConversionPlan(frame: frame, imports: imports, target: target.resolved(frame: frame.size), options: options, packedRows: 8, cache: cache)
    }

    @Test func memoryFramesIntoImagesTakeThePackedPathsOnlyUnplaced() throws {
        let oneToOne = try plan(.memory(frame))
        #expect(oneToOne.route == .upload(.packed(rows: 8)) && oneToOne.targetPacking == .packed(rows: 8))
        #expect(oneToOne.variant == ProgramVariant(mode: .packedPlanes, filter: .bilinear))
        #expect(oneToOne.viewportSize == PixelSize(width: 16, height: 6), "a quarter as wide, an eighth as high")
        let half = try plan(.memory(frame), target: .image(size: PixelSize(width: 32, height: 24)))
        #expect(half.variant == ProgramVariant(mode: .packedPlanes, filter: .area))
        let quarter = try plan(.memory(frame), target: .image(size: PixelSize(width: 16, height: 12)))
        #expect(quarter.route == .upload(.packed(rows: 8)) && quarter.targetPacking == .perPixel)
        #expect(quarter.variant.mode == .packedQuarter)
        // The upload follows the layout alone; placed frames read it a pixel at a time.
        for placed in [RenderOptions(mirror: true), RenderOptions(zoom: 2), RenderOptions(frameToOutput: .identity)] {
            let perPixel = try plan(.memory(frame), options: placed)
            #expect(perPixel.route == .upload(.packed(rows: 8)) && perPixel.targetPacking == .perPixel, "\(placed)")
            #expect(perPixel.variant.mode == .packedInput && !perPixel.isPacked, "\(placed)")
        }
        let odd = try plan(.memory(TestFrames.gradient(width: 62, height: 48)))
        #expect(odd.route == .upload(.perPixel) && odd.variant.mode == .integerPlanes, "a width that is not whole texels")
    }

    @Test func hostsAndSurfacesTakeThePerPixelPathAndOwnTheSize() throws {
        let viewport = PixelRect(x: 5, y: 6, width: 64, height: 48)
        let host = try plan(.memory(frame), target: .host(HostFramebuffer(framebuffer: 3, viewport: viewport)),
                            options: RenderOptions(letterbox: .untouched))
        #expect(host.route == .upload(.packed(rows: 8)) && host.outputSize == viewport.size && host.viewportSize == viewport.size)
        #expect(host.variant.mode == .packedInput && host.targetPacking == .perPixel)
        let cache = DisplayCache.Key(size: viewport.size, bgra: true, gles: true, flipped: true)
        let untouched = try plan(.memory(frame), target: .host(HostFramebuffer(framebuffer: 3, viewport: viewport)),
                                 options: RenderOptions(letterbox: .untouched), cache: cache)
        #expect(untouched.displayCache == nil, "untouched bars keep the host's pixels: drawn, not copied over")
        let cached = try plan(.memory(frame), target: .host(HostFramebuffer(framebuffer: 3, viewport: viewport)), cache: cache)
        let direct = try plan(.memory(frame), target: .host(HostFramebuffer(framebuffer: 3, viewport: viewport)))
        #expect(cached.displayCache == cache && direct.displayCache == nil)
        #expect(!cached.sameConversion(as: direct), "a flipped cache is drawn upside down")
        let bars = try plan(.memory(frame), options: RenderOptions(mirror: true, letterbox: .untouched))
        #expect(bars.uniforms == (try plan(.memory(frame), options: RenderOptions(mirror: true, letterbox: .transparent))).uniforms,
                "our own targets have nothing to keep: untouched bars are transparent")
        #expect(host.uniforms != (try plan(.memory(frame), target: .host(HostFramebuffer(framebuffer: 3, viewport: viewport)),
                                          options: RenderOptions(letterbox: .transparent))).uniforms)
    }

    /// On a software rasterizer, nearest at an affine placement is drawn packed into images
    /// whose width is whole texels and into display caches; not otherwise.
    @Test func nearestPlacedConversionsArePackedOnSoftwareRasterizers() throws {
        func mode(_ target: RenderTarget, _ options: RenderOptions, packs: Bool = true, cache: DisplayCache.Key? = nil) throws -> SamplingMode {
            try ConversionPlan(frame: .memory(frame), imports: Self.noImports, target: target.resolved(frame: frame.layout.size), options: options, packedRows: 8,
                               cache: cache, packsPlaced: packs).variant.mode
        }
        let nearest = RenderOptions(fit: .contain, mirror: true, filter: .nearest)
        let cache = DisplayCache.Key(size: PixelSize(width: 61, height: 40), bgra: true, gles: true, flipped: true)
        let host = RenderTarget.host(HostFramebuffer(framebuffer: 0, viewport: PixelRect(x: 0, y: 0, width: 61, height: 40)))
        #expect(try mode(.image(size: PixelSize(width: 40, height: 30)), nearest) == .packedPlaced)
        #expect(try mode(.image(size: PixelSize(width: 41, height: 30)), nearest) == .packedInput, "not whole texels")
        #expect(try mode(host, nearest, cache: cache) == .packedPlaced, "a cache takes the pixels that exist")
        #expect(try mode(host, nearest) == .packedInput, "drawn directly")
        #expect(try mode(.image(size: PixelSize(width: 40, height: 30)), nearest, packs: false) == .packedInput, "a GPU")
        #expect(try mode(.image(size: PixelSize(width: 40, height: 30)), RenderOptions(fit: .contain, filter: .bilinear)) == .packedInput)
        let projective = RenderOptions(frameToOutput: Matrix3(rows: [[1, 0, 0], [0, 1, 0], [0.001, 0, 1]]), filter: .nearest)
        #expect(try mode(.image(size: PixelSize(width: 40, height: 30)), projective) == .packedInput)
        let placed = try ConversionPlan(frame: .memory(frame), imports: Self.noImports, target: host.resolved(frame: frame.layout.size), options: nearest, packedRows: 8,
                                        cache: cache, packsPlaced: true)
        #expect(placed.viewportSize == PixelSize(width: 16, height: 5), "61 pixels are 16 texels; 40 rows 5 blocks")
    }

    @Test func dmaBufFramesFollowTheirImportPath() throws {
        let dmaBuf = Frame.dmaBuf(DmaBufFrame(fd: 0, layout: frame.layout))
        #expect(try plan(dmaBuf, importPath: .perPlane).route == .imported(.perPlane))
        #expect(try plan(dmaBuf, importPath: .perPlane).variant.mode == .normalizedPlanes)
        #expect(try plan(dmaBuf, importPath: .external).variant == ProgramVariant(mode: .externalImage, filter: .nearest))
        let mapped = try plan(dmaBuf, importPath: .mappedUpload)
        #expect(mapped.route == .upload(.perPixel) && mapped.variant.mode == .integerPlanes, "mapped frames never pack")
        #expect(try plan(.memory(frame), importPath: .external).importDecision == nil, "a frame in memory imports nothing")
    }

    /// A target's kind is looked at in one place: what each kind resolves to.
    @Test func eachTargetKindResolvesOnce() throws {
        let frameSize = PixelSize(width: 64, height: 48)
        let image = RenderTarget.image().resolved(frame: frameSize)
        #expect(image.outputSize == frameSize && image.isImage && !image.flipsVertically && !image.isHosts && image.finish == .readImage)
        let sized = RenderTarget.image(size: PixelSize(width: 8, height: 6)).resolved(frame: frameSize)
        #expect(sized.outputSize == PixelSize(width: 8, height: 6))
        let viewport = PixelRect(x: 5, y: 7, width: 30, height: 20)
        let host = RenderTarget.host(HostFramebuffer(framebuffer: 9, viewport: viewport)).resolved(frame: frameSize)
        #expect(host.outputSize == viewport.size && host.framebuffer?.name == 9 && host.framebuffer?.viewport == viewport)
        #expect(host.flipsVertically && host.isHosts && host.finish == .none && !host.isImage)
        let topLeft = RenderTarget.host(HostFramebuffer(framebuffer: 9, viewport: viewport, origin: .topLeft)).resolved(frame: frameSize)
        #expect(!topLeft.flipsVertically)
    }

    /// The import path, decided in the plan alone: the view's preference against the
    /// device's capabilities, then the buffer check's fallback.
    @Test func theImportDecisionWeighsPreferenceCapabilitiesAndTheBufferCheck() throws {
        let all = ImportCapabilities(dmaBufImport: true, perPlane: true, externalListed: true, externalVerified: true, externalNote: nil)
        let blackExternal = ImportCapabilities(dmaBufImport: true, perPlane: true, externalListed: true, externalVerified: false,
                                               externalNote: "the NV12 image samples black")
        let none = ImportCapabilities(dmaBufImport: false, perPlane: false, externalListed: false, externalVerified: nil,
                                      externalNote: "the display has no EGL_EXT_image_dma_buf_import")
        func decide(_ preference: ImportPathPreference, _ capabilities: ImportCapabilities?, denial: String? = nil) throws -> ImportDecision {
            try ImportDecision(ImportInputs(preference: preference, capabilities: capabilities, denial: denial))
        }
        #expect(try decide(.automatic, all) == ImportDecision(path: .external, fallback: nil))
        #expect(try decide(.automatic, blackExternal).path == .perPlane, "an external path that failed its check is never chosen")
        #expect(try decide(.automatic, none).path == .mappedUpload)
        #expect(try decide(.forced(.perPlane), all).path == .perPlane)
        #expect(throws: CameraViewError.importPathUnavailable(path: .external, reason: "the NV12 image samples black")) {
            try decide(.forced(.external), blackExternal)
        }
        #expect(throws: CameraViewError.importPathUnavailable(path: .perPlane, reason: "the display has no EGL_EXT_image_dma_buf_import")) {
            try decide(.forced(.perPlane), none)
        }
        #expect(try decide(.forced(.external), nil).path == .external, "the device's own check forces its path unchecked")
        #expect(try decide(.automatic, all, denial: "another driver's buffer") == ImportDecision(path: .mappedUpload, fallback: "another driver's buffer"))
        #expect(try decide(.forced(.mappedUpload), all, denial: "unreadable") == ImportDecision(path: .mappedUpload, fallback: nil),
                "a frame already mapped falls back from nothing")
    }

    @Test func uniformSlotsCoverEveryUniform() {
        #expect(Uniform.count == Uniform.allCases.count)
        #expect(Set(Uniform.allCases.map(\.name)).count == Uniform.count)
    }

    /// Each variant links, and the uniforms a plan sets are exactly the program's active
    /// uniforms: one set but absent fails the link, one active but never set fails here.
    @Test func everyVariantsUniformsAreItsProgramsActiveUniforms() throws {
        let device = try RenderDevice.open()
        defer { device.close() }
        let externalCompiles = device.core.extensions.externalImages
        try device.core.withContext { scope in
            for variant in ProgramVariant.all where variant.mode != .externalImage || externalCompiles {
                let program = try ProgramCache.of(device.core, in: scope).program(variant, in: scope)
                var count: GLint = 0
                glGetProgramiv(program.name, GLenum(GL_ACTIVE_UNIFORMS), &count)
                var active = Set<String>()
                for index in 0..<GLuint(count) {
                    var name = [GLchar](repeating: 0, count: 64)
                    var (length, size, type): (GLsizei, GLint, GLenum) = (0, 0, 0)
                    glGetActiveUniform(program.name, index, 64, &length, &size, &type, &name)
                    active.insert(String(decoding: name.prefix(Int(length)).map { UInt8(bitPattern: $0) }, as: UTF8.self))
                }
                #expect(active == Set(variant.uniforms.map(\.name)), "\(variant)")
            }
        }
    }
}
