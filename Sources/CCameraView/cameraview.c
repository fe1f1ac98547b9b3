/* The header-only module for C consumers of the CameraView C API; see include/cameraview.h. */
