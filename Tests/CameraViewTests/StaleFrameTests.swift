@testable import CameraView
@testable import CameraViewStreams
import Testing

/// Frames that name library-owned buffers (a camera's queue, a device buffer) hold a lease
/// on them: once the buffers are released the frame is stale, refused before anything
/// reads it (its fd numbers may name the next queue's buffers by then), and a stream view
/// stops showing it.
@Suite(.ledgerChecked) struct StaleFrameTests {
    let source = try! TestFrames.gradient(width: 32, height: 16)

    @Test func aFrameWhoseBuffersWereReleasedIsRefusedUnread() throws {
        let file = try MemoryFile(source.withUnsafeBytes { [UInt8]($0) })
        let lease = BufferLease()
        let frame = DmaBufFrame(width: 32, height: 16, luma: DmaBufPlane(fd: file.fd, offset: 0, pitch: 32),
                                chroma: DmaBufPlane(fd: file.fd, offset: 32 * 16, pitch: 32), color: .default, bufferIndex: 2, lease: lease)
        let view = try CameraView()
        defer { view.close() }
        #expect(try view.render(.dmaBuf(frame), options: .exact) == ExactModel.render(source))
        var target = RenderTarget.image(reusing: try view.render(.memory(source)))
        let uploaded = view.uploadedByteCount
        lease.end()
        #expect(throws: CameraViewError.staleFrame(bufferIndex: 2)) { try view.render(.dmaBuf(frame)) }
        #expect(throws: CameraViewError.staleFrame(bufferIndex: 2)) { try view.render(.dmaBuf(frame), into: &target) }
        #expect(view.uploadedByteCount == uploaded, "nothing was read from the stale buffers")
    }

    /// A source whose frames name its own buffers, released when it fails.
    final class LeasingSource: FrameSource, @unchecked Sendable {
        let name = "leasing"
        let file: MemoryFile
        var lease = BufferLease()
        var failing = false

        init(_ bytes: [UInt8]) throws { file = try MemoryFile(bytes) }

        func connect() throws {
            guard !failing else { throw CameraViewError.sourceUnavailable(name: name) }
        }

        func receive() throws -> StreamFrame? {
            guard !failing else {
                lease.end()  // the stream's buffers go with it
                throw CameraViewError.sourceUnavailable(name: name)
            }
            let frame = DmaBufFrame(width: 32, height: 16, luma: DmaBufPlane(fd: file.fd, offset: 0, pitch: 32),
                                    chroma: DmaBufPlane(fd: file.fd, offset: 32 * 16, pitch: 32), color: .default, bufferIndex: 0, lease: lease)
            return StreamFrame(bufferIndex: 0, frameID: 7, timestampNanoseconds: 0, frame: .dmaBuf(frame))
        }

        func disconnect() {}
    }

    @Test func aStreamViewStopsShowingAFrameWhoseBuffersWent() throws {
        let view = try CameraView()
        defer { view.close() }
        let camera = try LeasingSource(source.withUnsafeBytes { [UInt8]($0) })
        let stream = StreamView(view: view, source: camera)
        #expect(stream.update()?.frameID == 7)
        camera.failing = true
        #expect(stream.update() == nil, "the camera failed and took its buffers: nothing to show")
        #expect(try stream.render() == nil)
    }
}
