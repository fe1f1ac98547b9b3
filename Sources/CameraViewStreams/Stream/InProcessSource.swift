import CameraView
import Glibc

/// A frame source inside the process: a producer publishes frames into a ring of buffers;
/// a consumer receives the newest. It can be made to vanish and come back, for tests of
/// reconnection.
package final class InProcessSource: FrameSource {
    package let name: String
    package let ringSize: Int
    private struct State {
        var ring: [StreamFrame?]
        var published: UInt64 = 0
        var received: UInt64 = 0
        var connected = false
        var available = true
        var connectAttempts = 0
        var generation = 0
    }
    private let state: Locked<State>

    package init(name: String, ringSize: Int = 4) {
        self.name = name
        self.ringSize = max(1, ringSize)
        state = Locked(State(ring: Array(repeating: nil, count: max(1, ringSize))))
    }

    /// Publishes a frame into the next ring buffer; returns its frame id.
    @discardableResult
    package func publish(_ frame: NV12Frame, timestampNanoseconds: UInt64 = 0) -> UInt64 {
        state.withLock { state in
            let id = state.published
            let index = Int(id % UInt64(ringSize))
            state.ring[index] = StreamFrame(bufferIndex: index, frameID: id, timestampNanoseconds: timestampNanoseconds, frame: .memory(frame))
            state.published += 1
            return id
        }
    }

    /// The source goes away: receivers get `sourceUnavailable` until it comes back, with a
    /// new set of buffers (the next generation).
    package func vanish() { state.withLock { $0.available = false; $0.connected = false } }
    package func reappear() { state.withLock { $0.available = true; $0.generation += 1 } }

    package var generation: Int { state.withLock { $0.generation } }

    /// How often someone tried to connect.
    package var connectAttempts: Int { state.withLock { $0.connectAttempts } }
    package var isConnected: Bool { state.withLock { $0.connected } }

    package func connect() throws {
        try state.withLock { state in
            state.connectAttempts += 1
            guard state.available else { throw CameraViewError.sourceUnavailable(name: name) }
            state.connected = true
        }
    }

    package func receive() throws -> StreamFrame? {
        try state.withLock { state in
            guard state.available, state.connected else { throw CameraViewError.sourceUnavailable(name: name) }
            guard state.published > state.received else { return nil }
            state.received = state.published
            return state.ring[Int((state.published - 1) % UInt64(ringSize))]
        }
    }

    package func disconnect() { state.withLock { $0.connected = false } }
}
