import CEGL

/// How the conversion shader reads a frame; each is one compiled variant of nv12.frag.
enum SamplingMode: String, CaseIterable, Sendable {
    /// R8UI + RG8UI textures filled by upload: exact 8-bit codes.
    case integerPlanes = "INTEGER_PLANES"
    /// R8 + GR88 textures bound to per-plane dma-buf EGLImages.
    case normalizedPlanes = "NORMALIZED_PLANES"
    /// One NV12 EGLImage on GL_TEXTURE_EXTERNAL_OES, converted by the driver.
    case externalImage = "EXTERNAL_IMAGE"
    /// Four pixels per RGBA8UI texel, several rows per fragment, into RGBA32UI targets:
    /// untransformed 1:1 frames (nv12_packed.frag).
    case packedPlanes = "PACKED_PLANES"
    /// The packed upload's textures drawn a pixel at a time (nv12.frag): area at exactly a
    /// quarter of the frame's size, one fetch per row of each pixel's 4x4 luma block.
    case packedInput = "PACKED_INPUT"

    var textureTarget: GLenum {
        self == .externalImage ? GLenum(GL_TEXTURE_EXTERNAL_OES) : GLenum(GL_TEXTURE_2D)
    }
}

/// Which compiled program draws a frame: its sampling mode and (for the plane and packed
/// modes) its resolved filter, never `.automatic`. The external mode samples nearest.
struct ProgramVariant: Hashable {
    let mode: SamplingMode
    let filter: SampleFilter

    init(mode: SamplingMode, filter: SampleFilter) {
        assert(filter != .automatic, "resolve the filter before choosing a program")
        self.mode = mode
        self.filter = mode == .externalImage ? .nearest : filter
    }

    /// The #defines after `#version`.
    fileprivate func macros(packedRows: Int) -> [String] {
        switch (mode, filter) {
        case (.packedPlanes, .bilinear): ["ROWS \(packedRows)", "CHROMA_LINEAR"]
        case (.packedPlanes, .area): ["ROWS \(packedRows)", "AREA_HALF"]
        case (.packedPlanes, _): ["ROWS \(packedRows)"]
        case (.packedInput, _): [mode.rawValue]
        case (_, .bilinear): [mode.rawValue, "FILTER_BILINEAR"]
        case (_, .area): [mode.rawValue, "FILTER_AREA"]
        default: [mode.rawValue]
        }
    }

    var description: String { "\(mode.rawValue), \(filter.rawValue)" }
}

/// One compiled NV12 -> RGBA program, built once per device and variant and shared by the
/// device's views. A final class that owns exactly one program object, so the device can
/// keep it in a dictionary.
final class NV12Program {
    let variant: ProgramVariant
    var mode: SamplingMode { variant.mode }
    private var program: GLProgram?
    let name: GLuint
    let outputToFrame: GLint
    let frameSize: GLint
    let outputSize: GLint
    /// Per-pixel variants: the matrix and offset.
    let yuvToRgb: GLint
    let yuvOffset: GLint
    let chromaOrigin: GLint
    let barColor: GLint
    let keepBars: GLint
    /// The packed variant: `OutputCodeCoefficients`.
    let lumaScale: GLint
    let cbScale: GLint
    let crScale: GLint
    let bias: GLint
    /// The packed variant with chroma interpolated: `PackedChromaWeights`.
    let chromaWeightsX: GLint
    let evenRowWeights: GLint
    let oddRowWeights: GLint
    let chromaLastRow: GLint
    /// The packed half-size area variant.
    let halfWeights: GLint
    let lumaLastRow: GLint

    /// `packedRows`: rows per fragment of the packed program.
    init(variant: ProgramVariant, packedRows: Int, table: HandleTable, in scope: borrowing ContextScope) throws {
        let mode = variant.mode
        let source = Self.source(
            mode == .packedPlanes ? ShaderSources.nv12PackedFrag : ShaderSources.nv12Frag,
            defining: variant.macros(packedRows: packedRows))
        let vertex = try Self.compile(GLenum(GL_VERTEX_SHADER), "vertex", ShaderSources.fullscreenVert, table: table, in: scope)
        let fragment: GLShader
        do {
            fragment = try Self.compile(GLenum(GL_FRAGMENT_SHADER), "fragment (\(variant.description))", source, table: table, in: scope)
        } catch {
            vertex.release(in: scope)
            throw error
        }
        let program: GLProgram
        do {
            program = try Self.link(vertex: vertex.raw, fragment: fragment.raw, mode: mode, table: table, in: scope)
        } catch {
            fragment.release(in: scope)
            vertex.release(in: scope)
            throw error
        }
        fragment.release(in: scope)
        vertex.release(in: scope)
        let name = program.raw
        self.variant = variant
        self.name = name
        self.program = consume program
        outputToFrame = glGetUniformLocation(name, "u_outputToFrame")
        frameSize = glGetUniformLocation(name, "u_frameSize")
        outputSize = glGetUniformLocation(name, "u_outputSize")
        yuvToRgb = glGetUniformLocation(name, "u_yuvToRgb")
        yuvOffset = glGetUniformLocation(name, "u_yuvOffset")
        chromaOrigin = glGetUniformLocation(name, "u_chromaOrigin")
        barColor = glGetUniformLocation(name, "u_barColor")
        keepBars = glGetUniformLocation(name, "u_keepBars")
        lumaScale = glGetUniformLocation(name, "u_lumaScale")
        cbScale = glGetUniformLocation(name, "u_cbScale")
        crScale = glGetUniformLocation(name, "u_crScale")
        bias = glGetUniformLocation(name, "u_bias")
        chromaWeightsX = glGetUniformLocation(name, "u_chromaWeightsX")
        evenRowWeights = glGetUniformLocation(name, "u_evenRowWeights")
        oddRowWeights = glGetUniformLocation(name, "u_oddRowWeights")
        chromaLastRow = glGetUniformLocation(name, "u_chromaLastRow")
        halfWeights = glGetUniformLocation(name, "u_halfWeights")
        lumaLastRow = glGetUniformLocation(name, "u_lumaLastRow")
    }

    func release(in scope: borrowing ContextScope) { program.take()?.release(in: scope) }

    /// See `Owned.abandon`.
    func abandon() { program.take()?.abandon() }

    /// Links the two shaders into a new program with its samplers' units set.
    private static func link(
        vertex: GLuint, fragment: GLuint, mode: SamplingMode, table: HandleTable, in scope: borrowing ContextScope
    ) throws -> GLProgram {
        let program = try table.makeProgram(in: scope)
        let name = program.raw
        glAttachShader(name, vertex)
        glAttachShader(name, fragment)
        glLinkProgram(name)
        var linked: GLint = 0
        glGetProgramiv(name, GLenum(GL_LINK_STATUS), &linked)
        do {
            try FaultInjection.step(operation: "glLinkProgram", kind: .program)
            guard linked == GL_TRUE else { throw CameraViewError.programLink(log: infoLog(name, glGetProgramiv, glGetProgramInfoLog)) }
            glUseProgram(name)
            for (unit, sampler) in ["u_luma", "u_chroma"].enumerated() {
                glUniform1i(glGetUniformLocation(name, sampler), GLint(unit))
            }
            glUniform1i(glGetUniformLocation(name, "u_image"), 0)
            glUseProgram(0)
            try GLCheck.noError("linking the NV12 program (\(mode.rawValue))")
        } catch {
            program.release(in: scope)
            throw error
        }
        return program
    }

    /// The source with a `#define` per macro inserted after its `#version` line.
    private static func source(_ source: String, defining macros: [String]) -> String {
        guard let versionEnd = source.firstIndex(of: "\n") else { return source }
        let defines = macros.map { "#define \($0)\n" }.joined()
        return source[...versionEnd] + defines + source[source.index(after: versionEnd)...]
    }

    private static func compile(
        _ type: GLenum, _ stage: String, _ source: String, table: HandleTable, in scope: borrowing ContextScope
    ) throws -> GLShader {
        let shader = try table.makeShader(type: type, in: scope)
        let name = shader.raw
        source.withCString { text in
            var pointer: UnsafePointer<GLchar>? = text
            glShaderSource(name, 1, &pointer, nil)
        }
        glCompileShader(name)
        var compiled: GLint = 0
        glGetShaderiv(name, GLenum(GL_COMPILE_STATUS), &compiled)
        do {
            try FaultInjection.step(operation: "glCompileShader", kind: .shader)
            guard compiled == GL_TRUE else { throw CameraViewError.shaderCompile(stage: stage, log: infoLog(name, glGetShaderiv, glGetShaderInfoLog)) }
        } catch {
            shader.release(in: scope)
            throw error
        }
        return shader
    }

    private static func infoLog(
        _ name: GLuint,
        _ getParameter: (GLuint, GLenum, UnsafeMutablePointer<GLint>?) -> Void,
        _ getLog: (GLuint, GLsizei, UnsafeMutablePointer<GLsizei>?, UnsafeMutablePointer<GLchar>?) -> Void
    ) -> String {
        var length: GLint = 0
        getParameter(name, GLenum(GL_INFO_LOG_LENGTH), &length)
        guard length > 0 else { return "(no log)" }
        var buffer = [GLchar](repeating: 0, count: Int(length))
        getLog(name, length, nil, &buffer)
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
