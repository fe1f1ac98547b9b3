/// A device's compiled programs, one per variant, shared by its views and kept for the
/// device's lifetime (`DeviceCore.resource`): each compiled on first use, the upload
/// path's two exact ones as the device opens (RenderDevice+Open.swift).
final class ProgramCache: GroupMember, @unchecked Sendable {
    private let packedRows: Int
    private let table: HandleTable
    /// Used only inside the device's `withContext` (every call takes its scope).
    private var programs: [ProgramVariant: NV12Program] = [:]

    private init(packedRows: Int, table: HandleTable) { (self.packedRows, self.table) = (packedRows, table) }

    /// The cache of `core`'s device.
    static func of(_ core: DeviceCore, in scope: borrowing ContextScope) -> ProgramCache {
        core.resource(in: scope) { ProgramCache(packedRows: core.info.packedRows, table: core.table) }
    }

    /// The upload path's exact programs: per pixel and packed.
    static let uploadVariants = [ProgramVariant(mode: .packedInput, filter: .nearest), ProgramVariant(mode: .packedPlanes, filter: .nearest)]

    /// The program for `variant`, compiled on first use.
    func program(_ variant: ProgramVariant, in scope: borrowing ContextScope) throws -> NV12Program {
        if let program = programs[variant] { return program }
        let program = try NV12Program(variant: variant, packedRows: packedRows, table: table, in: scope)
        programs[variant] = program
        return program
    }

    func release(in teardown: Teardown) {
        for program in programs.values { program.release(in: teardown) }
        programs.removeAll()
    }
}
