import CameraView
import CameraViewStreams
import CCameraView

// The C API's VisionIPC views: a view as a client of one stream of one server.

@_cdecl("cv_view_connect_visionipc")
public func cv_view_connect_visionipc(_ view: OpaquePointer?, _ server: UnsafePointer<CChar>?, _ stream: UInt32) -> Int32 {
    calling {
        let boxed = try views.lookup(view)
        guard let server, server.pointee != 0 else { throw CAPIError(code: CV_EINVAL, message: "null or empty server name") }
        let source = VisionIPCSource(server: String(cString: server), stream: VisionStreamType(rawValue: stream))
        // One attempt now, waiting at most connectTimeout; waits retry while the server is absent.
        try? source.connect()
        if let previous = boxed.stream.replaceSource(source) as? VisionIPCSource {
            try unclean(previous.close())
        }
    }
}

@_cdecl("cv_view_wait_frame")
public func cv_view_wait_frame(_ view: OpaquePointer?, _ timeoutMilliseconds: Int32, _ info: UnsafeMutablePointer<cv_vision_frame>?) -> Int32 {
    calling {
        let boxed = try views.lookup(view)
        let source = try visionSource(boxed)
        guard let received = try boxed.stream.wait(timeout: .milliseconds(max(0, Int(timeoutMilliseconds)))) else {
            throw CAPIError(code: CV_ETIMEOUT, message: "no frame from \(source.name) within \(timeoutMilliseconds) ms")
        }
        if let info {
            info.pointee = cv_vision_frame(
                frame_id: UInt32(truncatingIfNeeded: received.frameID), timestamp_sof: received.timestampNanoseconds,
                timestamp_eof: received.endTimestampNanoseconds,
                // Sizes from the server were checked to fit an int where its records were parsed.
                buffer_index: Int32(clamping: received.bufferIndex), width: Int32(clamping: received.frame.size.width),
                height: Int32(clamping: received.frame.size.height),
                valid: received.valid ? 1 : 0)
        }
    }
}

private func visionSource(_ boxed: CView) throws -> VisionIPCSource {
    guard let source = boxed.stream.sources.current as? VisionIPCSource else {
        throw CAPIError(code: CV_EINVAL, message: "the view is not connected to a VisionIPC server (cv_view_connect_visionipc)")
    }
    return source
}

@_cdecl("cv_view_visionipc_connected")
public func cv_view_visionipc_connected(_ view: OpaquePointer?) -> Int32 {
    var connected: Int32 = 0
    let code = calling { connected = try visionSource(views.lookup(view)).isConnected ? 1 : 0 }
    return code == CV_OK ? connected : code
}

@_cdecl("cv_visionipc_available_streams")
public func cv_visionipc_available_streams(
    _ server: UnsafePointer<CChar>?, _ streams: UnsafeMutablePointer<UInt32>?, _ capacity: Int32, _ count: UnsafeMutablePointer<Int32>?
) -> Int32 {
    calling {
        guard let server, let count, capacity >= 0, capacity == 0 || streams != nil else {
            throw CAPIError(code: CV_EINVAL, message: "null server, streams or count, or a negative capacity")
        }
        let found: [UInt32]
        do {
            found = try VisionIPCSource.availableStreams(server: String(cString: server)).map(\.rawValue).sorted()
        } catch CameraViewError.sourceUnavailable {
            found = []
        }
        for (index, stream) in found.prefix(Int(capacity)).enumerated() { streams![index] = stream }
        count.pointee = Int32(found.count)
    }
}

@_cdecl("cv_view_visionipc_statistics")
public func cv_view_visionipc_statistics(_ view: OpaquePointer?, _ statistics: UnsafeMutablePointer<cv_vision_statistics>?) -> Int32 {
    calling {
        guard let statistics else { throw CAPIError(code: CV_EINVAL, message: "null statistics") }
        let source = try visionSource(views.lookup(view))
        let counts = source.statistics
        statistics.pointee = cv_vision_statistics(
            delivered: counts.delivered, skipped: counts.skipped, torn: counts.torn, truncated: counts.truncated,
            connections: counts.connections, restarts: counts.restarts, losses: counts.losses, evictions: counts.evictions,
            queue_readers: source.queueReaderCount ?? -1, slot_refusals: counts.slotRefusals, no_slot: counts.noSlot ? 1 : 0)
    }
}
