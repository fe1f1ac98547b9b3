/* A small wlroots 0.15 compositor that draws camera views in its own render pass: a
 * headless backend with one output, the screencopy and xdg-output managers (so grim can
 * take screenshots), and per frame a clear, a red rectangle, the views (NV12 files drawn
 * through the C API on the compositor's own EGL context into the output's framebuffer)
 * and a green rectangle over them.
 *
 *   cameraview-compositor [--size WxH] [--frames N] [--churn N] [--drm-node PATH]
 *                         --view FILE:W:H:X:Y:OW:OH[:nearest][:center] ...
 *
 * --drm-node: the DRM node the GLES2 renderer and the output's buffers use (default
 * /dev/dri/card0). The renderer runs on an EGL display of our own over one GBM device of
 * that node, and the output's buffers come from a GBM allocator of our own on the same GBM
 * device: wlroots would reopen a render node (where a software rasterizer, kms_swrast,
 * cannot make its dumb buffers) or take EGL's device platform, and a buffer of another
 * open file of the node reaches kms_swrast as an import it cannot map.
 * --view: an NV12 file of W x H (BT.601 full range), drawn into the output rectangle at
 * (X, Y) of OW x OH (top-left origin), with the nearest filter (else the automatic one)
 * and chroma sited at the centre (else left), as asked. --frames: exit after N output frames (0, the default: run until
 * SIGINT or SIGTERM). --churn: close every view and make it anew each frame, N times
 * (the fds before the first and after the last are compared).
 * Prints WAYLAND_DISPLAY=... once the socket is up, and a JSON summary at exit (frames
 * drawn, view cycles, and the library's process-wide counts: live handles, swept, failed
 * deletions, dropped owners). Exits 1 on any CameraView error or a non-zero count. */
#define _POSIX_C_SOURCE 200809L
#define WLR_USE_UNSTABLE
#include <cameraview.h>
#include <GLES2/gl2.h>
#include <drm_fourcc.h>
#include <fcntl.h>
#include <gbm.h>
#include <unistd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wayland-server-core.h>
#include <wlr/backend.h>
#include <wlr/backend/headless.h>
#include <wlr/render/allocator.h>
#include <wlr/render/egl.h>
#include <wlr/render/gles2.h>
#include <wlr/render/wlr_renderer.h>
#include <wlr/types/wlr_buffer.h>
#include <wlr/types/wlr_output.h>
#include <wlr/types/wlr_output_layout.h>
#include <wlr/types/wlr_screencopy_v1.h>
#include <wlr/types/wlr_xdg_output_v1.h>
#include <wlr/util/box.h>
#include <wlr/util/log.h>

#define MAX_VIEWS 8

struct source {
    unsigned char *bytes;
    size_t size;
    int width, height;
    int x, y, out_width, out_height; /* top-left origin */
    int nearest, center;
    cv_view *view;
};

struct compositor {
    struct wl_display *display;
    struct wlr_backend *backend;
    struct wlr_renderer *renderer;
    struct wlr_allocator *allocator;
    struct wlr_output_layout *layout;
    struct wlr_output *output;
    struct wl_listener new_output, frame;
    cv_device *device;
    struct source sources[MAX_VIEWS];
    int source_count;
    long frames, frame_limit, cycles, churn;
    long fds_before_churn, fds_after_churn;
    int failed;
};

/* Linear buffers of the renderer's GBM device (destroyed by main), handed to wlroots as
 * dma-bufs. */
struct gbm_allocator {
    struct wlr_allocator base;
    struct gbm_device *gbm;
};

struct gbm_buffer {
    struct wlr_buffer base;
    struct gbm_bo *bo;
    struct wlr_dmabuf_attributes dmabuf;
};

static void buffer_destroy(struct wlr_buffer *base) {
    struct gbm_buffer *buffer = wl_container_of(base, buffer, base);
    close(buffer->dmabuf.fd[0]);
    gbm_bo_destroy(buffer->bo);
    free(buffer);
}

static bool buffer_get_dmabuf(struct wlr_buffer *base, struct wlr_dmabuf_attributes *attributes) {
    struct gbm_buffer *buffer = wl_container_of(base, buffer, base);
    *attributes = buffer->dmabuf;
    return true;
}

static const struct wlr_buffer_impl buffer_impl = {.destroy = buffer_destroy, .get_dmabuf = buffer_get_dmabuf};

static struct wlr_buffer *allocator_create_buffer(struct wlr_allocator *base, int width, int height, const struct wlr_drm_format *format) {
    struct gbm_allocator *allocator = wl_container_of(base, allocator, base);
    struct gbm_buffer *buffer = calloc(1, sizeof *buffer);
    if (!buffer) return NULL;
    buffer->bo = gbm_bo_create(allocator->gbm, width, height, format->format, GBM_BO_USE_RENDERING | GBM_BO_USE_LINEAR);
    int fd = buffer->bo ? gbm_bo_get_fd(buffer->bo) : -1;
    if (fd < 0) {
        if (buffer->bo) gbm_bo_destroy(buffer->bo);
        free(buffer);
        return NULL;
    }
    buffer->dmabuf = (struct wlr_dmabuf_attributes){
        .width = width, .height = height, .format = format->format, .modifier = DRM_FORMAT_MOD_INVALID, .n_planes = 1,
        .offset = {0}, .stride = {gbm_bo_get_stride(buffer->bo)}, .fd = {fd}};
    wlr_buffer_init(&buffer->base, &buffer_impl, width, height);
    return &buffer->base;
}

static void allocator_destroy(struct wlr_allocator *base) {
    struct gbm_allocator *allocator = wl_container_of(base, allocator, base);
    free(allocator);
}

static const struct wlr_allocator_interface allocator_impl = {.create_buffer = allocator_create_buffer, .destroy = allocator_destroy};

static struct wlr_allocator *gbm_allocator_create(struct gbm_device *gbm) {
    struct gbm_allocator *allocator = gbm ? calloc(1, sizeof *allocator) : NULL;
    if (!allocator) return NULL;
    allocator->gbm = gbm;
    wlr_allocator_init(&allocator->base, &allocator_impl, WLR_BUFFER_CAP_DMABUF);
    return &allocator->base;
}

/* The process's open fds. */
static long open_fds(void) {
    long count = 0;
    char path[64];
    for (int fd = 0; fd < 4096; fd++) {
        snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
        if (access(path, F_OK) == 0) count++;
    }
    return count;
}

static void fail(struct compositor *c, const char *what, int code) {
    fprintf(stderr, "cameraview-compositor: %s: %d (%s)\n", what, code, cv_last_error());
    c->failed = 1;
    wl_display_terminate(c->display);
}

static int open_views(struct compositor *c) {
    for (int i = 0; i < c->source_count; i++) {
        struct source *s = &c->sources[i];
        int code = cv_view_create(c->device, &s->view);
        if (code != CV_OK) { fail(c, "cv_view_create", code); return 0; }
        cv_render_options options = {0};
        options.filter = s->nearest ? CV_FILTER_NEAREST : CV_FILTER_AUTOMATIC;
        code = cv_view_set_render_options(s->view, &options);
        if (code == CV_OK) code = cv_view_set_chroma_location(s->view, s->center ? CV_CHROMA_CENTER : CV_CHROMA_LEFT);
        if (code == CV_OK) code = cv_view_submit_nv12(s->view, s->bytes, s->size, s->width, s->height, 0, 0, CV_BT601, CV_RANGE_FULL);
        if (code != CV_OK) { fail(c, "cv_view_submit_nv12", code); return 0; }
    }
    return 1;
}

static void close_views(struct compositor *c) {
    for (int i = 0; i < c->source_count; i++) {
        if (c->sources[i].view) {
            int code = cv_view_close(c->sources[i].view);
            if (code != CV_OK) fail(c, "cv_view_close", code);
            c->sources[i].view = NULL;
        }
    }
}

static void rect(struct compositor *c, int x, int y, int width, int height, const float color[4]) {
    struct wlr_box box = {.x = x, .y = y, .width = width, .height = height};
    wlr_render_rect(c->renderer, &box, color, c->output->transform_matrix);
}

static void on_frame(struct wl_listener *listener, void *data) {
    struct compositor *c = wl_container_of(listener, c, frame);
    struct wlr_output *output = c->output;
    if (!wlr_output_attach_render(output, NULL)) return;
    wlr_renderer_begin(c->renderer, output->width, output->height);
    const float background[4] = {0.1f, 0.1f, 0.1f, 1}, red[4] = {1, 0, 0, 1}, green[4] = {0, 1, 0, 1};
    wlr_renderer_clear(c->renderer, background);
    rect(c, 20, 20, 200, 100, red);
    if (!c->device && c->source_count > 0) {
        /* The renderer's own display and context: the views draw in them. */
        struct wlr_egl *egl = wlr_gles2_renderer_get_egl(c->renderer);
        int code = cv_device_adopt(egl->display, egl->context, &c->device);
        if (code != CV_OK) fail(c, "cv_device_adopt", code);
        else open_views(c);
    } else if (c->cycles < c->churn) {
        if (c->cycles == 0) c->fds_before_churn = open_fds();
        close_views(c);
        if (open_views(c) && ++c->cycles == c->churn) c->fds_after_churn = open_fds();
    }
    GLuint fbo = wlr_gles2_renderer_get_current_fbo(c->renderer);
    for (int i = 0; i < c->source_count && !c->failed; i++) {
        struct source *s = &c->sources[i];
        if (!s->view) continue;
        /* wlroots stores an output's buffer top row first: GL's y is the screen's. */
        cv_target target = {.kind = CV_TARGET_FBO, .fbo = fbo, .x = s->x, .y = s->y,
                            .width = s->out_width, .height = s->out_height, .origin = CV_ORIGIN_TOP_LEFT};
        int code = cv_view_draw(s->view, &target);
        if (code != CV_OK) fail(c, "cv_view_draw", code);
    }
    rect(c, 40, 60, 300, 50, green);
    wlr_renderer_end(c->renderer);
    wlr_output_commit(output);
    c->frames++;
    if (c->frame_limit > 0 && c->frames >= c->frame_limit) wl_display_terminate(c->display);
    else wlr_output_schedule_frame(output);
}

static void on_new_output(struct wl_listener *listener, void *data) {
    struct compositor *c = wl_container_of(listener, c, new_output);
    struct wlr_output *output = data;
    wlr_output_init_render(output, c->allocator, c->renderer);
    wlr_output_enable(output, true);
    if (!wlr_output_commit(output)) { fprintf(stderr, "cameraview-compositor: output commit failed\n"); return; }
    c->output = output;
    c->frame.notify = on_frame;
    wl_signal_add(&output->events.frame, &c->frame);
    wlr_output_layout_add_auto(c->layout, output);
    wlr_output_create_global(output);
    wlr_output_schedule_frame(output);
}

static int stop(int signal, void *data) {
    wl_display_terminate(data);
    return 0;
}

/* FILE:W:H:X:Y:OW:OH */
static int parse_view(const char *argument, struct source *s) {
    char path[4096];
    const char *colon = strchr(argument, ':');
    if (!colon || (size_t)(colon - argument) >= sizeof path) return 0;
    memcpy(path, argument, colon - argument);
    path[colon - argument] = 0;
    int used = 0;
    if (sscanf(colon + 1, "%d:%d:%d:%d:%d:%d%n", &s->width, &s->height, &s->x, &s->y, &s->out_width, &s->out_height, &used) != 6) return 0;
    for (const char *rest = colon + 1 + used; *rest; ) {
        if (!strncmp(rest, ":nearest", 8)) { s->nearest = 1; rest += 8; }
        else if (!strncmp(rest, ":center", 7)) { s->center = 1; rest += 7; }
        else return 0;
    }
    int stride = 0;
    size_t uv_offset, size;
    if (cv_nv12_default_layout(s->width, s->height, &stride, &uv_offset, &size) != CV_OK) return 0;
    FILE *file = fopen(path, "rb");
    if (!file) { perror(path); return 0; }
    s->bytes = malloc(size);
    s->size = size;
    size_t got = s->bytes ? fread(s->bytes, 1, size, file) : 0;
    fclose(file);
    return got == size;
}

int main(int argc, char **argv) {
    struct compositor c = {0};
    int width = 1280, height = 720;
    const char *node = "/dev/dri/card0";
    for (int i = 1; i < argc; i++) {
        const char *next = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(argv[i], "--size") && next && sscanf(next, "%dx%d", &width, &height) == 2) i++;
        else if (!strcmp(argv[i], "--frames") && next) c.frame_limit = atol(argv[++i]);
        else if (!strcmp(argv[i], "--churn") && next) c.churn = atol(argv[++i]);
        else if (!strcmp(argv[i], "--drm-node") && next) node = argv[++i];
        else if (!strcmp(argv[i], "--view") && next && c.source_count < MAX_VIEWS && parse_view(next, &c.sources[c.source_count])) {
            c.source_count++;
            i++;
        } else {
            fprintf(stderr, "usage: %s [--size WxH] [--frames N] [--churn N] [--drm-node PATH] --view FILE:W:H:X:Y:OW:OH[:nearest][:center] ...\n", argv[0]);
            return 2;
        }
    }
    wlr_log_init(WLR_ERROR, NULL);
    c.display = wl_display_create();
    c.backend = wlr_headless_backend_create(c.display);
    int drm_fd = open(node, O_RDWR | O_CLOEXEC);
    struct gbm_device *gbm = drm_fd >= 0 ? gbm_create_device(drm_fd) : NULL;
    EGLDisplay egl_display = gbm ? eglGetPlatformDisplay(EGL_PLATFORM_GBM_KHR, gbm, NULL) : EGL_NO_DISPLAY;
    EGLContext egl_context = EGL_NO_CONTEXT;
    if (egl_display != EGL_NO_DISPLAY && eglInitialize(egl_display, NULL, NULL) && eglBindAPI(EGL_OPENGL_ES_API)) {
        /* What wlroots' GLES2 renderer asks for: version 2 (Mesa gives 3.2). */
        const EGLint attributes[] = {EGL_CONTEXT_CLIENT_VERSION, 2, EGL_NONE};
        egl_context = eglCreateContext(egl_display, EGL_NO_CONFIG_KHR, EGL_NO_CONTEXT, attributes);
    }
    struct wlr_egl *egl = egl_context != EGL_NO_CONTEXT ? wlr_egl_create_with_context(egl_display, egl_context) : NULL;
    c.renderer = c.backend && egl ? wlr_gles2_renderer_create(egl) : NULL;
    if (!c.renderer) {
        fprintf(stderr, "cameraview-compositor: no GLES2 renderer on %s\n", node);
        return 1;
    }
    wlr_renderer_init_wl_display(c.renderer, c.display);
    c.allocator = gbm_allocator_create(gbm);
    if (!c.allocator) {
        fprintf(stderr, "cameraview-compositor: no GBM device on %s\n", node);
        return 1;
    }
    c.layout = wlr_output_layout_create();
    wlr_screencopy_manager_v1_create(c.display);
    wlr_xdg_output_manager_v1_create(c.display, c.layout);
    c.new_output.notify = on_new_output;
    wl_signal_add(&c.backend->events.new_output, &c.new_output);
    struct wl_event_loop *loop = wl_display_get_event_loop(c.display);
    struct wl_event_source *interrupt = wl_event_loop_add_signal(loop, SIGINT, stop, c.display);
    struct wl_event_source *terminate = wl_event_loop_add_signal(loop, SIGTERM, stop, c.display);
    const char *socket = wl_display_add_socket_auto(c.display);
    if (!socket || !wlr_headless_add_output(c.backend, width, height) || !wlr_backend_start(c.backend)) {
        fprintf(stderr, "cameraview-compositor: cannot start (socket %s)\n", socket ? socket : "none");
        return 1;
    }
    printf("WAYLAND_DISPLAY=%s\n", socket);
    fflush(stdout);
    wl_display_run(c.display);

    /* The views and the device go while the renderer's context still exists. */
    close_views(&c);
    if (c.device) {
        int code = cv_device_close(c.device);
        if (code != CV_OK) fail(&c, "cv_device_close", code);
    }
    long fd_growth = c.cycles > 0 ? c.fds_after_churn - c.fds_before_churn : 0;
    long live = cv_live_handles_in_process(), swept = cv_swept_in_process();
    long failed = cv_failed_deletions_in_process(), dropped = cv_dropped_in_process();
    printf("{\"frames\": %ld, \"cycles\": %ld, \"live\": %ld, \"swept\": %ld, \"failed_deletions\": %ld, \"dropped\": %ld, "
           "\"fd_growth\": %ld}\n", c.frames, c.cycles, live, swept, failed, dropped, fd_growth);
    wl_event_source_remove(interrupt);
    wl_event_source_remove(terminate);
    wl_display_destroy_clients(c.display);
    wlr_backend_destroy(c.backend);
    wlr_output_layout_destroy(c.layout);
    wlr_allocator_destroy(c.allocator);
    wlr_renderer_destroy(c.renderer);
    wl_display_destroy(c.display);
    gbm_device_destroy(gbm);
    close(drm_fd);
    for (int i = 0; i < c.source_count; i++) free(c.sources[i].bytes);
    return c.failed || live || swept || failed || dropped || fd_growth ? 1 : 0;
}
