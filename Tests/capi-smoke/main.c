/* Drives the C API as a C compositor would: render to RGBA, then draw into the host's
 * own framebuffer on its own context, and check pixels, GL state and live handles.
 * Prints "capi-smoke: ok" and exits 0, or says what failed and exits 1. */
#include <EGL/egl.h>
#include <GLES3/gl3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cameraview.h"

#define W 16
#define H 8

static int failures = 0;

#define CHECK(condition, ...) do { \
    if (!(condition)) { fprintf(stderr, "capi-smoke: " __VA_ARGS__); fprintf(stderr, " (%s)\n", cv_last_error() ? cv_last_error() : ""); failures++; } \
} while (0)

/* A flat frame: Y = 200, U = V = 128 is grey 200 in BT.601 full range. */
static void make_frame(uint8_t *frame) {
    memset(frame, 200, W * H);
    memset(frame + W * H, 128, W * H / 2);
}

int main(void) {
    uint8_t frame[W * H * 3 / 2];
    make_frame(frame);

    cv_device *device = NULL;
    CHECK(cv_device_open(&device) == CV_OK, "cv_device_open failed");
    if (!device) return 1;
    cv_view *view = NULL;
    CHECK(cv_view_create(device, &view) == CV_OK, "cv_view_create failed");

    uint8_t rgba[W * H * 4];
    CHECK(cv_view_render_rgba(view, rgba, sizeof rgba, W, H) == CV_ENOFRAME, "rendering before any frame must fail");
    CHECK(cv_view_submit_nv12(view, frame, 10, W, H, W, W * H, CV_BT601, CV_RANGE_FULL) == CV_EINVAL, "a short frame must fail");
    CHECK(cv_view_submit_nv12(view, frame, sizeof frame, W, H, W, W * H, CV_BT601, CV_RANGE_FULL) == CV_OK, "submit failed");
    CHECK(cv_view_render_rgba(view, rgba, sizeof rgba, W, H) == CV_OK, "cv_view_render_rgba failed");
    CHECK(rgba[0] == 200 && rgba[1] == 200 && rgba[2] == 200 && rgba[3] == 255, "pixel 0 is %d,%d,%d,%d", rgba[0], rgba[1], rgba[2], rgba[3]);
    /* Two plane textures, a vertex array, a framebuffer and its renderbuffers: one, or on the
       packed fast path one per row of a fragment's block (4 or 8, as the device allows). */
    long live = cv_view_live_handles(view);
    CHECK(live == 5 || live == 8 || live == 12, "the view holds %ld objects, expected 5, 8 or 12", live);

    /* The host: its own context on the device's display, and a framebuffer. */
    EGLDisplay display = cv_device_egl_display(device);
    const EGLint attributes[] = { EGL_CONTEXT_MAJOR_VERSION, 3, EGL_NONE };
    EGLContext context = eglCreateContext(display, NULL, EGL_NO_CONTEXT, attributes);
    CHECK(context != EGL_NO_CONTEXT, "host eglCreateContext failed");
    eglMakeCurrent(display, EGL_NO_SURFACE, EGL_NO_SURFACE, context);
    GLuint renderbuffer, fbo;
    glGenRenderbuffers(1, &renderbuffer);
    glBindRenderbuffer(GL_RENDERBUFFER, renderbuffer);
    glRenderbufferStorage(GL_RENDERBUFFER, GL_RGBA8, 2 * W, H);
    glGenFramebuffers(1, &fbo);
    glBindFramebuffer(GL_FRAMEBUFFER, fbo);
    glFramebufferRenderbuffer(GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0, GL_RENDERBUFFER, renderbuffer);
    glClearColor(0, 0, 1, 1);
    glClear(GL_COLOR_BUFFER_BIT);
    glViewport(1, 2, 3, 4);

    cv_device *host = NULL;
    CHECK(cv_device_adopt(display, context, &host) == CV_OK, "cv_device_adopt failed");
    cv_view *hosted = NULL;
    CHECK(cv_view_create(host, &hosted) == CV_OK, "cv_view_create on the host failed");
    CHECK(cv_view_submit_nv12(hosted, frame, sizeof frame, W, H, W, W * H, CV_BT601, CV_RANGE_FULL) == CV_OK, "host submit failed");
    CHECK(cv_view_render_to_fbo(hosted, fbo, W, 0, W, H) == CV_OK, "cv_view_render_to_fbo failed");

    GLint viewport[4], bound;
    glGetIntegerv(GL_VIEWPORT, viewport);
    glGetIntegerv(GL_DRAW_FRAMEBUFFER_BINDING, &bound);
    CHECK(viewport[0] == 1 && viewport[1] == 2 && viewport[2] == 3 && viewport[3] == 4, "the host viewport changed");
    CHECK(bound == (GLint)fbo, "the host framebuffer binding changed");
    uint8_t pixels[2 * W * H * 4];
    glReadPixels(0, 0, 2 * W, H, GL_RGBA, GL_UNSIGNED_BYTE, pixels);
    CHECK(pixels[0] == 0 && pixels[2] == 255, "the left half must keep the host's blue");
    CHECK(pixels[W * 4] == 200 && pixels[W * 4 + 1] == 200 && pixels[W * 4 + 2] == 200, "the right half must be the frame");

    CHECK(cv_view_close(hosted) == CV_OK, "closing the hosted view failed");
    CHECK(cv_device_close(host) == CV_OK, "closing the host device failed");
    glDeleteFramebuffers(1, &fbo);
    glDeleteRenderbuffers(1, &renderbuffer);
    eglMakeCurrent(display, EGL_NO_SURFACE, EGL_NO_SURFACE, EGL_NO_CONTEXT);
    eglDestroyContext(display, context);

    CHECK(cv_view_close(view) == CV_OK, "closing the view failed");
    CHECK(cv_device_close(device) == CV_OK, "closing the device failed");
    CHECK(cv_live_handles_in_process() == 0, "%ld objects left after closing everything", cv_live_handles_in_process());
    CHECK(cv_swept_in_process() == 0, "%ld objects swept at close", cv_swept_in_process());
    CHECK(cv_failed_deletions_in_process() == 0, "%ld failed deletions", cv_failed_deletions_in_process());
    CHECK(cv_view_close(NULL) == CV_EINVAL, "a null handle must be rejected");

    if (failures) return 1;
    printf("capi-smoke: ok\n");
    return 0;
}
