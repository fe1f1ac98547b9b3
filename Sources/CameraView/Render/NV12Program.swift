import CEGL

/// One compiled NV12 -> RGBA program, built once per device and variant and shared by the
/// device's views. A final class that owns exactly one program object, so the device can
/// keep it in a dictionary.
final class NV12Program {
    let variant: ProgramVariant
    /// The program object, released with this.
    private let program: OwnerGroup
    let name: GLuint
    /// Every uniform of the variant, resolved at link (a missing one fails the link).
    private let locations: [Uniform: GLint]

    /// `packedRows`: rows per fragment of the packed program.
    init(variant: ProgramVariant, packedRows: Int, table: HandleTable, in scope: borrowing ContextScope) throws {
        // The shaders go once the program is linked, or fails to: it keeps what it needs.
        let shaders = OwnerGroup()
        defer { shaders.release(in: scope.teardown) }
        let vertex = try Self.compile(GLenum(GL_VERTEX_SHADER), "vertex", ShaderSources.fullscreenVert, into: shaders, table: table, in: scope)
        let fragment = try Self.compile(
            GLenum(GL_FRAGMENT_SHADER), "fragment (\(variant.description))", variant.fragmentSource(packedRows: packedRows),
            into: shaders, table: table, in: scope)
        var locations: [Uniform: GLint] = [:]
        let (program, name) = try OwnerGroup.building(scope.teardown) { program in
            try Self.link(vertex: vertex, fragment: fragment, variant: variant, locations: &locations, into: program, table: table, in: scope)
        }
        (self.variant, self.program, self.name, self.locations) = (variant, program, name, locations)
    }

    /// Sets every uniform of the plan (all of the variant's, by construction of `UniformValues`).
    func set(_ uniforms: UniformValues) throws {
        try uniforms.forEach { uniform, value in
            guard let location = locations[uniform] else {
                throw CameraViewError.programLink(log: "\(uniform.name) is not a uniform of \(variant)")
            }
            switch value {
            case .int(let v): glUniform1i(location, v)
            case .float(let v): glUniform1f(location, v)
            case .vec2(let v): glUniform2f(location, v.x, v.y)
            case .vec3(let v): glUniform3f(location, v.x, v.y, v.z)
            case .vec4(let v): glUniform4f(location, v.x, v.y, v.z, v.w)
            case .mat3(let m): m.withColumnMajorFloats { glUniformMatrix3fv(location, 1, GLboolean(GL_FALSE), $0) }
            case .mat4(var m):
                withUnsafePointer(to: &m) { $0.withMemoryRebound(to: Float.self, capacity: 16) { glUniformMatrix4fv(location, 1, GLboolean(GL_FALSE), $0) } }
            }
        }
    }

    func release(in teardown: Teardown) { program.release(in: teardown) }

    /// Links the two shaders into a new program and resolves every uniform of the
    /// variant: one the program does not have (a shader and `UniformValues` that disagree)
    /// fails the link, naming it.
    private static func link(
        vertex: GLuint, fragment: GLuint, variant: ProgramVariant, locations: inout [Uniform: GLint],
        into group: OwnerGroup, table: HandleTable, in scope: borrowing ContextScope
    ) throws -> GLuint {
        let name = group.adopt(try table.create(.program, in: scope))
        glAttachShader(name, vertex)
        glAttachShader(name, fragment)
        glLinkProgram(name)
        var linked: GLint = 0
        glGetProgramiv(name, GLenum(GL_LINK_STATUS), &linked)
        try FaultInjection.step(operation: "glLinkProgram", kind: .program)
        guard linked == GL_TRUE else { throw CameraViewError.programLink(log: infoLog(name, glGetProgramiv, glGetProgramInfoLog)) }
        for uniform in variant.uniforms {
            let location = glGetUniformLocation(name, uniform.name)
            guard location >= 0 else {
                throw CameraViewError.programLink(log: "\(variant) has no active uniform \(uniform.name)")
            }
            locations[uniform] = location
        }
        try GLCheck.noError("linking the NV12 program (\(variant))")
        return name
    }

    private static func compile(
        _ type: GLenum, _ stage: String, _ source: String, into group: OwnerGroup, table: HandleTable, in scope: borrowing ContextScope
    ) throws -> GLuint {
        let name = group.adopt(try table.create(.shader(type), in: scope))
        source.withCString { text in
            var pointer: UnsafePointer<GLchar>? = text
            glShaderSource(name, 1, &pointer, nil)
        }
        glCompileShader(name)
        var compiled: GLint = 0
        glGetShaderiv(name, GLenum(GL_COMPILE_STATUS), &compiled)
        try FaultInjection.step(operation: "glCompileShader", kind: .shader)
        guard compiled == GL_TRUE else { throw CameraViewError.shaderCompile(stage: stage, log: infoLog(name, glGetShaderiv, glGetShaderInfoLog)) }
        return name
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
