/// What per-view textures and targets are made for: a size and a packing.
struct GPUObjectKey: Hashable {
    let size: PixelSize
    let packing: PixelPacking
}
