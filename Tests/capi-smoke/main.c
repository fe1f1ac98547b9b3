/* Drives the C API as a C compositor would: render to RGBA, then draw into the host's
 * own framebuffer on its own context, and check pixels, GL state and live handles.
 * Prints "capi-smoke: ok" and exits 0, or says what failed and exits 1. */
#define _GNU_SOURCE
#include <EGL/egl.h>
#include <GLES3/gl3.h>
#include <fcntl.h>
#include <gbm.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

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

/* The render options and chroma siting, checked against values worked out by hand from
 * the BT.601 full-range formula (R = Y + 1.402 (V - 128)). */
static void check_options(cv_view *view) {
    enum { OW = 16, OH = 8 };
    uint8_t frame[OW * OH * 3 / 2];
    uint8_t rgba[OW * OH * 4];
    /* Luma columns alternate 0 / 255; chroma neutral. Halved, nearest keeps one column
       of each pair and area averages them to 127.5. */
    for (int i = 0; i < OW * OH; i++) frame[i] = (i % 2) ? 255 : 0;
    memset(frame + OW * OH, 128, OW * OH / 2);
    cv_render_options options = { 0 };
    options.filter = CV_FILTER_NEAREST;
    CHECK(cv_view_set_render_options(view, &options) == CV_OK, "setting nearest failed");
    CHECK(cv_view_submit_nv12(view, frame, sizeof frame, OW, OH, OW, OW * OH, CV_BT601, CV_RANGE_FULL) == CV_OK, "submit failed");
    CHECK(cv_view_render_rgba(view, rgba, sizeof rgba, OW / 2, OH / 2) == CV_OK, "halved render failed");
    CHECK(rgba[0] == 0 || rgba[0] == 255, "nearest gave %d, not a source code", rgba[0]);
    options.filter = CV_FILTER_AREA;
    CHECK(cv_view_set_render_options(view, &options) == CV_OK, "setting area failed");
    CHECK(cv_view_render_rgba(view, rgba, sizeof rgba, OW / 2, OH / 2) == CV_OK, "area render failed");
    CHECK(rgba[0] >= 127 && rgba[0] <= 128, "area gave %d, not the average 127.5", rgba[0]);
    CHECK(cv_view_set_render_options(view, NULL) == CV_OK, "restoring the default failed");
    CHECK(cv_view_render_rgba(view, rgba, sizeof rgba, OW / 2, OH / 2) == CV_OK, "default render failed");
    CHECK(rgba[0] >= 127 && rgba[0] <= 128, "the default (automatic) shrink gave %d, not the area average", rgba[0]);

    /* Y 128 everywhere; V 128 in chroma column 0, 208 elsewhere. At 1:1 pixel 1 sits
       halfway between chroma samples 0 and 1 when chroma is left-sited (V 168, R 184)
       and a quarter of the way when centred (V 148, R 156); nearest gives V 128 (R 128). */
    memset(frame, 128, OW * OH);
    for (int row = 0; row < OH / 2; row++) {
        for (int column = 0; column < OW / 2; column++) {
            frame[OW * OH + row * OW + 2 * column] = 128;
            frame[OW * OH + row * OW + 2 * column + 1] = column == 0 ? 128 : 208;
        }
    }
    const int sitings[3] = { CV_CHROMA_LEFT, CV_CHROMA_CENTER, CV_CHROMA_LEFT };
    const int filters[3] = { CV_FILTER_AUTOMATIC, CV_FILTER_AUTOMATIC, CV_FILTER_NEAREST };
    const int reds[3] = { 184, 156, 128 };
    for (int i = 0; i < 3; i++) {
        options = (cv_render_options){ .filter = filters[i] };
        CHECK(cv_view_set_render_options(view, &options) == CV_OK, "setting options failed");
        CHECK(cv_view_set_chroma_location(view, sitings[i]) == CV_OK, "setting the chroma location failed");
        CHECK(cv_view_submit_nv12(view, frame, sizeof frame, OW, OH, OW, OW * OH, CV_BT601, CV_RANGE_FULL) == CV_OK, "submit failed");
        CHECK(cv_view_render_rgba(view, rgba, sizeof rgba, OW, OH) == CV_OK, "1:1 render failed");
        CHECK(abs(rgba[4] - reds[i]) <= 1, "case %d: pixel 1 red %d, expected %d", i, rgba[4], reds[i]);
    }

    /* Mirrored, pixel 0 shows the last column (V 208: R 240); a transform moving the frame
       right by half the output leaves the left half black. */
    options = (cv_render_options){ .mirror = 1, .filter = CV_FILTER_NEAREST };
    CHECK(cv_view_set_render_options(view, &options) == CV_OK, "setting mirror failed");
    CHECK(cv_view_render_rgba(view, rgba, sizeof rgba, OW, OH) == CV_OK, "mirrored render failed");
    CHECK(abs(rgba[0] - 240) <= 1, "mirrored pixel 0 red %d, expected 240", rgba[0]);
    const double shift[9] = { 1, 0, OW / 2, 0, 1, 0, 0, 0, 1 };
    options = (cv_render_options){ .filter = CV_FILTER_NEAREST, .frame_to_output = shift };
    CHECK(cv_view_set_render_options(view, &options) == CV_OK, "setting a transform failed");
    CHECK(cv_view_render_rgba(view, rgba, sizeof rgba, OW, OH) == CV_OK, "transformed render failed");
    CHECK(rgba[0] == 0 && rgba[3] == 255 && rgba[(OW / 2) * 4] == 128, "shifted: pixel 0 red %d, pixel %d red %d", rgba[0], OW / 2, rgba[(OW / 2) * 4]);

    options = (cv_render_options){ .filter = 7 };
    CHECK(cv_view_set_render_options(view, &options) == CV_EINVAL, "an unknown filter must be rejected");
    options = (cv_render_options){ .fit = -1 };
    CHECK(cv_view_set_render_options(view, &options) == CV_EINVAL, "an unknown fit must be rejected");
    const double infinite[9] = { 1.0 / 0.0, 0, 0, 0, 1, 0, 0, 0, 1 };
    options = (cv_render_options){ .frame_to_output = infinite };
    CHECK(cv_view_set_render_options(view, &options) == CV_EINVAL, "a non-finite transform must be rejected");
    CHECK(cv_view_set_chroma_location(view, 3) == CV_EINVAL, "an unknown chroma location must be rejected");
    CHECK(cv_view_set_render_options(view, NULL) == CV_OK && cv_view_set_chroma_location(view, CV_CHROMA_LEFT) == CV_OK, "resetting failed");
}

/* A frame in a dma-buf: on the host a memfd (mapped and uploaded), with
 * CAPI_SMOKE_GBM_NODE (the VM) a linear GBM buffer on that DRM node (imported zero-copy).
 * Through cv_view_submit_dmabuf it must draw exactly what the same bytes draw through
 * cv_view_submit_nv12. */
/* The one render call: a frame, a target and options, the same pixels as submit + render;
 * the default layout; and bad frames and targets rejected. */
static void check_render(cv_view *view, cv_device *host_device, GLuint fbo) {
    int stride = 0;
    size_t uv_offset = 0, size = 0;
    CHECK(cv_nv12_default_layout(W + 1, H, &stride, &uv_offset, &size) == CV_OK, "cv_nv12_default_layout failed");
    /* Odd width: UV rows of ceil(17 / 2) * 2 = 18 bytes at the stride rounded up to even. */
    CHECK(stride == W + 1 && uv_offset == (size_t)(W + 1) * H && size == uv_offset + (size_t)(W + 2) * (H / 2 - 1) + (W + 2),
          "default layout: stride %d, uv offset %zu, size %zu", stride, uv_offset, size);
    stride = 0;
    CHECK(cv_nv12_default_layout(0, H, &stride, &uv_offset, &size) == CV_EINVAL, "a zero width must be rejected");

    uint8_t frame[W * H * 3 / 2], direct[W * H * 4], submitted[W * H * 4];
    for (int i = 0; i < W * H * 3 / 2; i++) frame[i] = (uint8_t)(i * 37 + 11);
    cv_frame source = { .kind = CV_FRAME_MEMORY, .width = W, .height = H, .matrix = CV_BT709, .range = CV_RANGE_LIMITED,
                        .chroma_location = CV_CHROMA_CENTER, .data = frame, .size = sizeof frame };
    cv_target target = { .kind = CV_TARGET_RGBA, .width = W, .height = H, .rgba = direct, .size = sizeof direct };
    cv_render_options options = { .filter = CV_FILTER_BILINEAR, .mirror = 1 };
    CHECK(cv_view_render(view, &source, &target, &options) == CV_OK, "cv_view_render failed");
    CHECK(cv_view_set_render_options(view, &options) == CV_OK && cv_view_set_chroma_location(view, CV_CHROMA_CENTER) == CV_OK, "set failed");
    CHECK(cv_view_submit_nv12(view, frame, sizeof frame, W, H, W, W * H, CV_BT709, CV_RANGE_LIMITED) == CV_OK, "submit failed");
    CHECK(cv_view_render_rgba(view, submitted, sizeof submitted, W, H) == CV_OK, "render failed");
    CHECK(memcmp(direct, submitted, sizeof direct) == 0, "cv_view_render and submit + render must draw the same pixels");
    CHECK(cv_view_set_render_options(view, NULL) == CV_OK && cv_view_set_chroma_location(view, CV_CHROMA_LEFT) == CV_OK, "reset failed");

    cv_frame bad = source;
    bad.kind = 5;
    CHECK(cv_view_render(view, &bad, &target, NULL) == CV_EINVAL, "an unknown frame kind must be rejected");
    bad = source;
    bad.size = 10;
    CHECK(cv_view_render(view, &bad, &target, NULL) == CV_EINVAL, "a short frame must be rejected");
    bad = source;
    bad.chroma_location = 9;
    CHECK(cv_view_render(view, &bad, &target, NULL) == CV_EINVAL, "an unknown chroma location must be rejected");
    cv_target small = target;
    small.size = 16;
    CHECK(cv_view_render(view, &source, &small, NULL) == CV_EINVAL, "a short output buffer must be rejected");
    small = target;
    small.kind = 4;
    CHECK(cv_view_render(view, &source, &small, NULL) == CV_EINVAL, "an unknown target kind must be rejected");
    CHECK(cv_view_render(view, NULL, &target, NULL) == CV_EINVAL, "a null frame must be rejected");

    /* Into the host's framebuffer, through a view on its adopted device. */
    cv_view *hosted = NULL;
    CHECK(cv_view_create(host_device, &hosted) == CV_OK, "cv_view_create on the host failed");
    for (int i = 0; i < W * H; i++) frame[i] = 90;
    memset(frame + W * H, 128, W * H / 2);
    source = (cv_frame){ .kind = CV_FRAME_MEMORY, .width = W, .height = H, .data = frame, .size = sizeof frame };
    cv_target framebuffer = { .kind = CV_TARGET_FBO, .width = W, .height = H, .fbo = fbo, .x = 0, .y = 0 };
    CHECK(cv_view_render(hosted, &source, &framebuffer, NULL) == CV_OK, "cv_view_render into the fbo failed");
    uint8_t pixel[4];
    glBindFramebuffer(GL_READ_FRAMEBUFFER, fbo);
    glReadPixels(0, 0, 1, 1, GL_RGBA, GL_UNSIGNED_BYTE, pixel);
    CHECK(pixel[0] == 90 && pixel[1] == 90 && pixel[2] == 90, "the fbo target got %d,%d,%d", pixel[0], pixel[1], pixel[2]);
    /* The origin: the frame's first row (dark) at GL row 0 for a top-left framebuffer, its
     * last (light) there for GL's bottom-left one. */
    for (int i = 0; i < W * H; i++) frame[i] = i < W * (H / 2) ? 40 : 200;
    for (int origin = CV_ORIGIN_BOTTOM_LEFT; origin <= CV_ORIGIN_TOP_LEFT; origin++) {
        framebuffer.origin = origin;
        CHECK(cv_view_render(hosted, &source, &framebuffer, NULL) == CV_OK, "cv_view_render with origin %d failed", origin);
        glReadPixels(0, 0, 1, 1, GL_RGBA, GL_UNSIGNED_BYTE, pixel);
        int expected = origin == CV_ORIGIN_TOP_LEFT ? 40 : 200;
        CHECK(pixel[0] == expected, "origin %d: GL row 0 got %d, expected %d", origin, pixel[0], expected);
    }
    /* cv_view_draw: the submitted frame into the same target, the same pixels. */
    CHECK(cv_view_submit_nv12(hosted, frame, sizeof frame, W, H, W, W * H, CV_BT601, CV_RANGE_FULL) == CV_OK, "submit failed");
    CHECK(cv_view_draw(hosted, &framebuffer) == CV_OK, "cv_view_draw failed");
    glReadPixels(0, 0, 1, 1, GL_RGBA, GL_UNSIGNED_BYTE, pixel);
    CHECK(pixel[0] == 40, "cv_view_draw, top-left origin: GL row 0 got %d, expected 40", pixel[0]);
    framebuffer.origin = 7;
    CHECK(cv_view_render(hosted, &source, &framebuffer, NULL) == CV_EINVAL, "an unknown origin must be CV_EINVAL");
    CHECK(cv_view_draw(hosted, NULL) == CV_EINVAL, "a null target must be CV_EINVAL");
    CHECK(cv_view_close(hosted) == CV_OK, "closing the render check's hosted view failed");
}

static void check_dmabuf(cv_view *view) {
    enum { DW = 16, DH = 8 };
    uint8_t frame[DW * DH * 3 / 2];
    for (int y = 0; y < DH; y++) for (int x = 0; x < DW; x++) frame[y * DW + x] = (uint8_t)(16 + x * 12 + y * 3);
    for (int i = 0; i < DW * DH / 2; i++) frame[DW * DH + i] = (uint8_t)(i % 2 ? 200 - i : 60 + i);
    const char *node = getenv("CAPI_SMOKE_GBM_NODE");
    int drm = -1, fd = -1;
    uint32_t pitch = DW;
    struct gbm_device *gbm = NULL;
    struct gbm_bo *bo = NULL;
    if (node) {
        drm = open(node, O_RDWR | O_CLOEXEC);
        gbm = drm >= 0 ? gbm_create_device(drm) : NULL;
        bo = gbm ? gbm_bo_create(gbm, DW, DH * 3 / 2, GBM_FORMAT_R8, GBM_BO_USE_LINEAR) : NULL;
        CHECK(bo != NULL, "no GBM buffer on %s", node);
        if (!bo) return;
        void *map_data = NULL;
        uint8_t *map = gbm_bo_map(bo, 0, 0, DW, DH * 3 / 2, GBM_BO_TRANSFER_WRITE, &pitch, &map_data);
        for (int row = 0; row < DH * 3 / 2; row++) memcpy(map + row * pitch, frame + row * DW, DW);
        gbm_bo_unmap(bo, map_data);
        fd = gbm_bo_get_fd(bo);
    } else {
        fd = memfd_create("capi-smoke-frame", MFD_CLOEXEC);
        CHECK(fd >= 0 && write(fd, frame, sizeof frame) == (ssize_t)sizeof frame, "memfd failed");
    }
    cv_render_options exact = { .filter = CV_FILTER_NEAREST };
    CHECK(cv_view_set_render_options(view, &exact) == CV_OK, "setting nearest failed");
    cv_dmabuf_plane luma = { fd, 0, pitch }, chroma = { fd, pitch * DH, pitch };
    CHECK(cv_view_submit_dmabuf(view, DW, DH, &luma, &chroma, 0, CV_BT601, CV_RANGE_FULL, 0) == CV_OK, "cv_view_submit_dmabuf failed");
    uint8_t from_dmabuf[DW * DH * 4], from_bytes[DW * DH * 4];
    CHECK(cv_view_render_rgba(view, from_dmabuf, sizeof from_dmabuf, DW, DH) == CV_OK, "rendering the dma-buf frame failed");
    int path = cv_view_last_import_path(view);
    CHECK(path == (node ? CV_IMPORT_PER_PLANE : CV_IMPORT_MAPPED_UPLOAD), "the dma-buf frame took import path %d", path);
    if (node && path == CV_IMPORT_PER_PLANE) printf("capi-smoke: dma-buf frame imported\n");

    /* UV starting on the buffer's last row: its rows run past the end. */
    cv_dmabuf_plane beyond = { fd, (uint32_t)lseek(fd, 0, SEEK_END) - pitch, pitch };
    CHECK(cv_view_submit_dmabuf(view, DW, DH, &luma, &beyond, 0, CV_BT601, CV_RANGE_FULL, 0) == CV_EINVAL, "a plane past its buffer must be rejected");
    CHECK(cv_view_submit_dmabuf(view, DW, DH, &luma, &chroma, 5, CV_BT601, CV_RANGE_FULL, 0) == CV_EINVAL, "a tiled modifier must be rejected");
    CHECK(cv_view_submit_dmabuf(view, DW, DH, NULL, &chroma, 0, CV_BT601, CV_RANGE_FULL, 0) == CV_EINVAL, "a null plane must be rejected");

    CHECK(cv_view_submit_nv12(view, frame, sizeof frame, DW, DH, DW, DW * DH, CV_BT601, CV_RANGE_FULL) == CV_OK, "submit failed");
    CHECK(cv_view_render_rgba(view, from_bytes, sizeof from_bytes, DW, DH) == CV_OK, "rendering the bytes failed");
    CHECK(memcmp(from_dmabuf, from_bytes, sizeof from_bytes) == 0, "the dma-buf frame drew differently from its bytes");
    CHECK(cv_view_set_render_options(view, NULL) == CV_OK, "resetting failed");
    close(fd);
    if (bo) gbm_bo_destroy(bo);
    if (gbm) gbm_device_destroy(gbm);
    if (drm >= 0) close(drm);
}

/* A host whose pixel store would move or cut every transfer, with pixel buffers bound for
   both directions: cv_view_render_rgba writes exactly its image (the bytes after it stay
   as they were), renders the frame, and leaves each of those settings as the host had it. */
static void check_hostile_host(cv_view *hosted) {
    static const GLenum names[] = {
        GL_UNPACK_ROW_LENGTH, GL_UNPACK_IMAGE_HEIGHT, GL_UNPACK_SKIP_ROWS, GL_UNPACK_SKIP_PIXELS, GL_UNPACK_SKIP_IMAGES,
        GL_UNPACK_ALIGNMENT, GL_PACK_ROW_LENGTH, GL_PACK_SKIP_ROWS, GL_PACK_SKIP_PIXELS, GL_PACK_ALIGNMENT,
    };
    static const GLint hostile[] = { 13, 7, 3, 5, 2, 8, 17, 4, 6, 2 };
    enum { COUNT = sizeof names / sizeof names[0], GUARD = 1024 };
    GLuint buffers[2];
    glGenBuffers(2, buffers);
    glBindBuffer(GL_PIXEL_UNPACK_BUFFER, buffers[0]);
    glBufferData(GL_PIXEL_UNPACK_BUFFER, 64, NULL, GL_STATIC_DRAW);
    glBindBuffer(GL_PIXEL_PACK_BUFFER, buffers[1]);
    glBufferData(GL_PIXEL_PACK_BUFFER, 64, NULL, GL_STATIC_DRAW);
    for (int i = 0; i < COUNT; i++) glPixelStorei(names[i], hostile[i]);

    uint8_t image[W * H * 4 + GUARD];
    memset(image, 0xA5, sizeof image);
    CHECK(cv_view_render_rgba(hosted, image, W * H * 4, W, H) == CV_OK, "cv_view_render_rgba on a hostile host failed");
    int outside = 0, wrong = 0;
    for (int i = W * H * 4; i < (int)sizeof image; i++) outside += image[i] != 0xA5;
    for (int i = 0; i < W * H * 4; i++) wrong += image[i] != ((i % 4 == 3) ? 255 : 200);
    CHECK(outside == 0, "cv_view_render_rgba wrote %d bytes past the image", outside);
    CHECK(wrong == 0, "%d bytes of the image are not the grey frame", wrong);
    for (int i = 0; i < COUNT; i++) {
        GLint value = -1;
        glGetIntegerv(names[i], &value);
        CHECK(value == hostile[i], "pixel-store 0x%x is %d, the host set %d", names[i], value, hostile[i]);
    }
    GLint unpack = 0, pack = 0;
    glGetIntegerv(GL_PIXEL_UNPACK_BUFFER_BINDING, &unpack);
    glGetIntegerv(GL_PIXEL_PACK_BUFFER_BINDING, &pack);
    CHECK(unpack == (GLint)buffers[0] && pack == (GLint)buffers[1], "the host's pixel buffer bindings changed");
    glBindBuffer(GL_PIXEL_UNPACK_BUFFER, 0);
    glBindBuffer(GL_PIXEL_PACK_BUFFER, 0);
    glDeleteBuffers(2, buffers);
    glPixelStorei(GL_UNPACK_ALIGNMENT, 4);
    glPixelStorei(GL_PACK_ALIGNMENT, 4);
    for (int i = 0; i < COUNT; i++) if (names[i] != GL_UNPACK_ALIGNMENT && names[i] != GL_PACK_ALIGNMENT) glPixelStorei(names[i], 0);
}

static void *close_view(void *view) {
    return (void *)(intptr_t)cv_view_close(view);
}

/* A hosted view closed on a thread that cannot make the host's context current (this
   thread holds it): its GL objects are not deleted in a context it cannot reach, the handle
   ends all the same, and the close says so with CV_EUNCLEAN and the objects by name. */
static long check_unclean_close(cv_device *host) {
    cv_view *view = NULL;
    CHECK(cv_view_create(host, &view) == CV_OK, "cv_view_create on the host failed");
    long failed_before = cv_failed_deletions_in_process();
    long held = cv_view_live_handles(view);
    pthread_t thread;
    void *result = NULL;
    pthread_create(&thread, NULL, close_view, view);
    pthread_join(thread, &result);
    CHECK((intptr_t)result == CV_EUNCLEAN, "closing where the context is out of reach returned %d, not CV_EUNCLEAN", (int)(intptr_t)result);
    CHECK(cv_failed_deletions_in_process() == failed_before + held, "%ld failed deletions for the %ld objects left",
          cv_failed_deletions_in_process() - failed_before, held);
    CHECK(cv_view_close(view) == CV_ECLOSED, "the unclean close still ends the handle");
    return held;
}

int main(void) {
    uint8_t frame[W * H * 3 / 2];
    make_frame(frame);
    CHECK(cv_last_error() != NULL && cv_last_error()[0] == 0, "cv_last_error() before any call must be \"\"");

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
    check_options(view);
    check_dmabuf(view);

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

    check_render(view, host, fbo);
    CHECK(cv_view_render_to_fbo(hosted, fbo, W, 0, W, H) == CV_OK, "cv_view_render_to_fbo failed");
    check_hostile_host(hosted);
    long unreachable = check_unclean_close(host);

    CHECK(cv_view_close(hosted) == CV_OK, "closing the hosted view failed");
    CHECK(cv_device_close(host) == CV_OK, "closing the host device failed");
    glDeleteFramebuffers(1, &fbo);
    glDeleteRenderbuffers(1, &renderbuffer);
    eglMakeCurrent(display, EGL_NO_SURFACE, EGL_NO_SURFACE, EGL_NO_CONTEXT);
    eglDestroyContext(display, context);

    /* The device closed first: the view keeps its own reference and still renders. */
    CHECK(cv_device_close(device) == CV_OK, "closing the device failed");
    CHECK(cv_view_render_rgba(view, rgba, sizeof rgba, W, H) == CV_OK, "a view must outlive its device's handle");
    CHECK(cv_view_close(view) == CV_OK, "closing the view failed");
    CHECK(cv_last_error()[0] == 0, "a success must clear cv_last_error(), not \"%s\"", cv_last_error());

    /* Misuse: every call on a closed or made-up handle is CV_ECLOSED, never a crash. */
    CHECK(cv_view_close(view) == CV_ECLOSED, "closing a view twice must return CV_ECLOSED");
    CHECK(cv_last_error()[0] != 0, "a failure must say why");
    CHECK(cv_device_close(device) == CV_ECLOSED, "closing a device twice must return CV_ECLOSED");
    CHECK(cv_view_render_rgba(view, rgba, sizeof rgba, W, H) == CV_ECLOSED, "rendering with a closed view must return CV_ECLOSED");
    CHECK(cv_view_submit_nv12(view, frame, sizeof frame, W, H, W, W * H, CV_BT601, CV_RANGE_FULL) == CV_ECLOSED, "submitting to a closed view must return CV_ECLOSED");
    CHECK(cv_view_set_render_options(view, NULL) == CV_ECLOSED, "options on a closed view must return CV_ECLOSED");
    CHECK(cv_view_last_import_path(view) == CV_ECLOSED, "a closed view has no import path");
    CHECK(cv_view_live_handles(view) == -1, "a closed view has no handle count");
    cv_view *orphan = NULL;
    CHECK(cv_view_create(device, &orphan) == CV_ECLOSED && orphan == NULL, "a view on a closed device must return CV_ECLOSED");
    CHECK(cv_view_close((cv_view *)(uintptr_t)0x12345678) == CV_ECLOSED, "a made-up handle must return CV_ECLOSED");
    CHECK(cv_device_egl_display(device) == NULL, "a closed device has no display");
    CHECK(cv_live_handles_in_process() == 0, "%ld objects left after closing everything", cv_live_handles_in_process());
    CHECK(cv_swept_in_process() == 0, "%ld objects swept at close", cv_swept_in_process());
    CHECK(cv_failed_deletions_in_process() == unreachable, "%ld failed deletions", cv_failed_deletions_in_process());
    CHECK(cv_dropped_in_process() == 0, "%ld objects dropped without close", cv_dropped_in_process());
    CHECK(cv_view_close(NULL) == CV_EINVAL, "a null handle must be rejected");

    if (failures) return 1;
    printf("capi-smoke: ok\n");
    return 0;
}
