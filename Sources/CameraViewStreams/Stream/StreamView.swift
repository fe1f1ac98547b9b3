import CameraView
/// A view fed by a frame source, with openpilot's stream rules: switching to another
/// source swaps only once the new one has delivered a frame (the old keeps showing until
/// then); a source that goes away is reconnected every `reconnectInterval`; at a swap the
/// previous buffer set's GPU objects are released. Call `update` once per displayed frame
/// and render what it returns (`view.render(frame.frame, into: &target)`).
public final class StreamView: Sendable {
    public let view: CameraView
    package let reconnectInterval: Duration
    private struct State {
        var current: any FrameSource
        var pending: (any FrameSource)?
        var connected = false
        var lastAttempt: ContinuousClock.Instant?
        var latest: StreamFrame?
        var swaps = 0
    }
    private let state: Locked<State>

    public init(view: CameraView, source: any FrameSource, reconnectInterval: Duration = .milliseconds(200)) {
        self.view = view
        self.reconnectInterval = reconnectInterval
        state = Locked(State(current: source))
    }

    /// Asks to show `source`; the swap happens at the `update` where it first delivers.
    public func switchTo(_ source: any FrameSource) {
        state.withLock { state in
            state.pending?.disconnect()
            state.pending = source
        }
    }

    /// The source being shown, and one waiting to take over.
    package var sources: (current: any FrameSource, pending: (any FrameSource)?) {
        state.withLock { ($0.current, $0.pending) }
    }

    /// Completed swaps so far.
    package var swapCount: Int { state.withLock { $0.swaps } }

    /// Polls the sources and returns the frame to show now: the newest received, or the
    /// last one again when nothing new came (nil before the first, and once the last one's
    /// buffers went with their stream: a camera that failed or was let go).
    @discardableResult
    public func update(now: ContinuousClock.Instant = .now) -> StreamFrame? {
        state.withLock { state in
            if let pending = state.pending, let frame = Self.poll(pending) {
                // Drop the old stream's textures and images first: a camera frees its
                // buffers only once nothing imports them.
                view.releaseFrameObjects()
                state.current.disconnect()
                (state.current, state.pending, state.connected, state.latest) = (pending, nil, true, frame)
                state.swaps += 1
                return frame
            }
            if !state.connected {
                guard state.lastAttempt.map({ now - $0 >= reconnectInterval }) ?? true else { return Self.shown(&state) }
                state.lastAttempt = now
                guard (try? state.current.connect()) != nil else { return Self.shown(&state) }
                state.connected = true
            }
            do {
                if let frame = try state.current.receive() { state.latest = frame }
            } catch {
                state.connected = false
                state.lastAttempt = now
            }
            return Self.shown(&state)
        }
    }

    /// The latest frame, forgotten once its buffers are gone.
    private static func shown(_ state: inout State) -> StreamFrame? {
        if state.latest?.frame.isLive == false { state.latest = nil }
        return state.latest
    }

    /// Connects `source` if needed and takes its newest frame, if any.
    private static func poll(_ source: any FrameSource) -> StreamFrame? {
        do {
            try source.connect()
            return try source.receive()
        } catch {
            return nil
        }
    }
}
