#ifndef CAMERAVIEW_CEGL_SHIM_H
#define CAMERAVIEW_CEGL_SHIM_H

#include <EGL/egl.h>
#include <EGL/eglext.h>
#include <GLES3/gl3.h>
#include <GLES2/gl2ext.h>
#include <gbm.h>
#include <xf86drm.h>
#include <drm_fourcc.h>
#include <dlfcn.h>
#include <link.h>
#include <malloc.h>
#include <sys/ioctl.h>
#include <linux/dma-buf.h>

// These are built on EGL_CAST or fourcc_code(), which Swift cannot import as macros.
static const EGLDisplay cv_EGL_NO_DISPLAY = EGL_NO_DISPLAY;
static const EGLContext cv_EGL_NO_CONTEXT = EGL_NO_CONTEXT;
static const EGLSurface cv_EGL_NO_SURFACE = EGL_NO_SURFACE;
static const EGLImageKHR cv_EGL_NO_IMAGE_KHR = EGL_NO_IMAGE_KHR;
static const EGLDeviceEXT cv_EGL_NO_DEVICE_EXT = EGL_NO_DEVICE_EXT;
static const EGLNativeDisplayType cv_EGL_DEFAULT_DISPLAY = EGL_DEFAULT_DISPLAY;
static const uint32_t cv_DRM_FORMAT_NV12 = DRM_FORMAT_NV12;
static const uint32_t cv_DRM_FORMAT_R8 = DRM_FORMAT_R8;
static const uint32_t cv_DRM_FORMAT_GR88 = DRM_FORMAT_GR88;
static const uint32_t cv_GBM_FORMAT_ABGR8888 = GBM_FORMAT_ABGR8888;
static const uint32_t cv_GBM_FORMAT_R8 = GBM_FORMAT_R8;
static const uint32_t cv_GBM_FORMAT_ARGB8888 = GBM_FORMAT_ARGB8888;
static const uint64_t cv_DRM_FORMAT_MOD_LINEAR = DRM_FORMAT_MOD_LINEAR;
static const uint64_t cv_DRM_FORMAT_MOD_INVALID = DRM_FORMAT_MOD_INVALID;

// ioctl numbers are built with _IOW, which Swift cannot import.
static const unsigned long cv_DMA_BUF_IOCTL_SYNC = DMA_BUF_IOCTL_SYNC;
static const unsigned long cv_DRM_IOCTL_MODE_MAP_DUMB = DRM_IOCTL_MODE_MAP_DUMB;
static const unsigned long cv_DRM_IOCTL_GEM_CLOSE = DRM_IOCTL_GEM_CLOSE;

#endif
