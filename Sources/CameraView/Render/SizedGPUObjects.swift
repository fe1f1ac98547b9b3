/// GPU objects made for one key and kept while frames keep it.
protocol SizedGPUObjects: ~Copyable {
    associatedtype Key: Equatable
    var key: Key { get }
    init(key: Key, table: HandleTable, in scope: borrowing ContextScope) throws
    consuming func release(in teardown: Teardown)
}

extension UploadedPlanes: SizedGPUObjects {}
extension OffscreenTarget: SizedGPUObjects {}
