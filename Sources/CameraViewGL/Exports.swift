// The EGL, GLES 3, GBM and DRM C APIs for hosts that embed CameraView in their own
// context: `import CameraViewGL` instead of writing a module map of your own.
@_exported import CEGL
