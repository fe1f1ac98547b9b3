import CameraView

/// A view fed by a stream: the one model of a stream under the Swift API, the C API (and
/// so Python) and the CLI. It holds the source shown, one waiting to take over and the
/// frame to show, and is the one place a stream's frame objects are released: the view's
/// textures and EGLImages of a source's buffers go when the source replaces them (its
/// `generation` changed), at a swap and when the source is replaced.
///
/// openpilot's stream rules: switching to another source swaps only once the new one has
/// delivered a frame (the old keeps showing until then); a source that goes away is
/// reconnected every `reconnectInterval`. A UI calls `update` once per displayed frame and
/// renders what it returns (`view.render(frame.frame, into: &target)`); a reader that
/// blocks (the C API's `cv_view_wait_frame`, `camview watch`) calls `wait(timeout:)`.
public final class StreamView: Sendable {
    public let view: CameraView
    package let reconnectInterval: Duration
    private struct State {
        var current: (any FrameSource)?
        var pending: (any FrameSource)?
        var connected = false
        var lastAttempt: ContinuousClock.Instant?
        var latest: StreamFrame?
        /// The current source's generation the view's frame objects were made from.
        var generation: Int?
        var swaps = 0
    }
    private let state: Locked<State>

    /// `source`: the stream to show; nil for frames the caller hands in (`show`) until a
    /// source is set (`replaceSource`).
    public init(view: CameraView, source: (any FrameSource)? = nil, reconnectInterval: Duration = .milliseconds(200)) {
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

    /// Shows `source` from now on (nil: none), without waiting for its first frame: the
    /// view's objects of the old one's buffers are released and nothing is shown until
    /// the new one delivers. Returns the old source, disconnected, for its owner to close.
    @discardableResult
    public func replaceSource(_ source: (any FrameSource)?) -> (any FrameSource)? {
        state.withLock { state in
            let previous = state.current
            state.pending?.disconnect()
            view.releaseFrameObjects()
            previous?.disconnect()
            (state.current, state.pending, state.connected, state.lastAttempt) = (source, nil, false, nil)
            (state.latest, state.generation) = (nil, nil)
            return previous
        }
    }

    /// Shows a frame the caller has (a submitted one, not a source's).
    public func show(_ frame: Frame) {
        state.withLock { $0.latest = StreamFrame(bufferIndex: 0, frameID: 0, timestampNanoseconds: 0, frame: frame) }
    }

    /// The source being shown, and one waiting to take over.
    public var sources: (current: (any FrameSource)?, pending: (any FrameSource)?) {
        state.withLock { ($0.current, $0.pending) }
    }

    /// The frame to show now: the newest received or shown, nil before the first and once
    /// its buffers went with their stream.
    public var latest: StreamFrame? { state.withLock { Self.shown(&$0) } }

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
                state.current?.disconnect()
                (state.current, state.pending, state.connected, state.generation) = (pending, nil, true, pending.generation)
                state.latest = frame
                state.swaps += 1
                return frame
            }
            guard let current = state.current else { return Self.shown(&state) }
            if !state.connected {
                guard state.lastAttempt.map({ now - $0 >= reconnectInterval }) ?? true else { return Self.shown(&state) }
                state.lastAttempt = now
                guard (try? current.connect()) != nil else { return Self.shown(&state) }
                state.connected = true
            }
            do {
                if let frame = try current.receive() { take(frame, from: current, &state) }
            } catch {
                state.connected = false
                state.lastAttempt = now
            }
            return Self.shown(&state)
        }
    }

    /// Waits up to `timeout` for the current source's next frame (connecting while it is
    /// absent) and shows it; nil when none came. The wait holds no lock: `update`, `latest`
    /// and `replaceSource` go on meanwhile (a frame whose source was replaced during the
    /// wait is not shown). Throws what breaks the source (a peer's protocol error, a
    /// camera's failure); `CameraViewError.sourceUnavailable` when no source is set.
    public func wait(timeout: Duration) throws -> StreamFrame? {
        guard let source = sources.current else {
            throw CameraViewError.sourceUnavailable(name: "no source (the view shows the frames handed to it)")
        }
        guard let frame = try source.waitForFrame(timeout: timeout) else { return nil }
        return state.withLock { state in
            guard state.current === source else { return nil }
            state.connected = true
            take(frame, from: source, &state)
            return frame
        }
    }

    /// Makes `frame` the one shown, first releasing what the view made of the source's
    /// older buffers when they were replaced.
    private func take(_ frame: StreamFrame, from source: any FrameSource, _ state: inout State) {
        let generation = source.generation
        if let previous = state.generation, previous != generation { view.releaseFrameObjects() }
        (state.generation, state.latest) = (generation, frame)
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
