import CEGL

/// The textures one frame is sampled from: Y and UV, or the one NV12 image (chroma 0);
/// uploaded (`UploadedPlanes`) or imported (`DmaBufImporter`).
struct PlaneTextures {
    let luma: GLuint
    var chroma: GLuint = 0
}
