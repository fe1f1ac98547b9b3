import CameraView

extension NV12Frame {
    /// A deterministic frame with detail in both planes, for benchmarks and leak checks.
    public static func synthetic(layout: NV12Layout, color: ColorDescription = .default) -> NV12Frame {
        let bytes = (0..<layout.bufferSize).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ $0 >> 9) }
        // A frame over exactly its layout's bytes: the layout was validated, so this holds.
        return try! NV12Frame(bytes: bytes, layout: layout, color: color)
    }
}
