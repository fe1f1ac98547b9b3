/* A small wlroots 0.15 compositor that draws camera views in its own render pass: a
 * headless backend with one output, the screencopy and xdg-output managers (so grim can
 * take screenshots), and per frame a clear, a red rectangle, the views (NV12 files, or
 * openpilot's camera streams over VisionIPC, drawn through the C API on the compositor's
 * own EGL context into the output's framebuffer) and a green rectangle over them.
 *
 *   cameraview-compositor [--size WxH] [--frames N] [--churn N] [--timing] [--resubmit]
 *                         [--drm-node PATH] --view FILE:W:H:X:Y:OW:OH[:nearest][:center] ...
 *                         --vision SERVER:STREAM:X:Y:OW:OH[:nearest][:center] ...
 *
 * --drm-node: the DRM node the GLES2 renderer and the output's buffers use (default
 * /dev/dri/card0). The renderer runs on an EGL display of our own over one GBM device of
 * that node, and the output's buffers come from a GBM allocator of our own on the same GBM
 * device: wlroots would reopen a render node (where a software rasterizer, kms_swrast,
 * cannot make its dumb buffers) or take EGL's device platform, and a buffer of another
 * open file of the node reaches kms_swrast as an import it cannot map.
 * --view: an NV12 file of W x H (BT.601 full range), drawn into the output rectangle at
 * (X, Y) of OW x OH (top-left origin), with the nearest filter (else the automatic one)
 * and chroma sited at the centre (else left), as asked. --vision: stream STREAM
 * (CV_VISION_STREAM_*) of VisionIPC server SERVER ("camerad"), placed the same way; each
 * output frame takes the newest frame without waiting, draws nothing while there is none
 * (before the first, or once the server is lost) and keeps rendering whatever the server
 * does. --frames: exit after N output frames (0, the default: run until SIGINT or SIGTERM).
 * --churn: close every view and make it anew each frame, N times (the fds before the first
 * and after the last are compared; the heap is sampled every 10 cycles after the first
 * quarter). --timing: finish the GPU's work before and after the views' draws and time
 * them and the whole frame (glFinish changes the pipelining: for measuring only).
 * --resubmit: submit each file's frame again every output frame, as a camera at the
 * output's rate would (else a file is submitted once and redrawn).
 * Prints WAYLAND_DISPLAY=... once the socket is up, a JSON line of the frames drawn and
 * the VisionIPC views' counts on SIGUSR1, and a JSON summary at exit (frames
 * drawn, view cycles, the heap's slope over the cycles, the median times, each VisionIPC
 * view's counts, and the library's process-wide counts: live handles, swept, failed
 * deletions, dropped owners). Exits 1 on any CameraView error of ours (a server's broken
 * frame or protocol is the server's: counted, not fatal) or a non-zero count. */
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
#include <time.h>
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) || defined(UNDER_ASAN)
#define UNDER_ASAN 1
size_t __sanitizer_get_current_allocated_bytes(void); /* the sanitizer runtime's (gcc installs no header for it) */
#else
#include <malloc.h>
#endif
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
#define MAX_FRAMES 100000
#define MAX_HEAP_SAMPLES 10000

struct source {
    unsigned char *bytes; /* a file's frame */
    size_t size;
    int width, height;
    char server[64]; /* or a VisionIPC stream (server[0] != 0) */
    uint32_t stream;
    int x, y, out_width, out_height; /* top-left origin */
    int nearest, center;
    cv_view *view;
    long drawn, peer_errors;
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
    int timing, resubmit;
    double *frame_ms, *views_ms; /* per output frame, with --timing */
    double heap_cycle[MAX_HEAP_SAMPLES], heap_bytes[MAX_HEAP_SAMPLES];
    int heap_samples;
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

/* The heap in use: the allocator's exact count (AddressSanitizer's own under it). */
static double heap_in_use(void) {
#if defined(UNDER_ASAN)
    return (double)__sanitizer_get_current_allocated_bytes();
#else
    struct mallinfo2 info = mallinfo2();
    return (double)(info.uordblks + info.hblkhd);
#endif
}

/* The least-squares slope of y over x. */
static double slope(const double *x, const double *y, int n) {
    if (n < 2) return 0;
    double mx = 0, my = 0, sxy = 0, sxx = 0;
    for (int i = 0; i < n; i++) { mx += x[i] / n; my += y[i] / n; }
    for (int i = 0; i < n; i++) { sxy += (x[i] - mx) * (y[i] - my); sxx += (x[i] - mx) * (x[i] - mx); }
    return sxx > 0 ? sxy / sxx : 0;
}

static int compare_doubles(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *values, long n) {
    if (n <= 0) return 0;
    qsort(values, n, sizeof *values, compare_doubles);
    return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

static double now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static void fail(struct compositor *c, const char *what, int code) {
    fprintf(stderr, "cameraview-compositor: %s: %d (%s)\n", what, code, cv_last_error());
    c->failed = 1;
    wl_display_terminate(c->display);
}

static int submit(struct source *s) {
    return cv_view_submit_nv12(s->view, s->bytes, s->size, s->width, s->height, 0, 0, CV_BT601, CV_RANGE_FULL);
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
        if (code == CV_OK) code = s->server[0] ? cv_view_connect_visionipc(s->view, s->server, s->stream) : submit(s);
        if (code != CV_OK) { fail(c, "opening a view", code); return 0; }
    }
    return 1;
}

/* Takes the stream's newest frame, if one came, without waiting: the server's errors are
 * its own (counted; the view connects again), never the compositor's. */
static void receive(struct compositor *c, struct source *s) {
    int code = cv_view_wait_frame(s->view, 0, NULL);
    if (code == CV_EPEER) s->peer_errors++;
    else if (code != CV_OK && code != CV_ETIMEOUT) fail(c, "cv_view_wait_frame", code);
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
    if (c->timing) glFinish();
    double frame_start = now_ms();
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
        if (c->cycles >= c->churn / 4 && c->cycles % 10 == 0 && c->heap_samples < MAX_HEAP_SAMPLES) {
            c->heap_cycle[c->heap_samples] = (double)c->cycles;
            c->heap_bytes[c->heap_samples++] = heap_in_use();
        }
    }
    if (c->timing) glFinish();
    double views_start = now_ms();
    GLuint fbo = wlr_gles2_renderer_get_current_fbo(c->renderer);
    for (int i = 0; i < c->source_count && !c->failed; i++) {
        struct source *s = &c->sources[i];
        if (!s->view) continue;
        if (s->server[0]) receive(c, s);
        else if (c->resubmit && submit(s) != CV_OK) { fail(c, "cv_view_submit_nv12", CV_EOTHER); break; }
        /* wlroots stores an output's buffer top row first: GL's y is the screen's. */
        cv_target target = {.kind = CV_TARGET_FBO, .fbo = fbo, .x = s->x, .y = s->y,
                            .width = s->out_width, .height = s->out_height, .origin = CV_ORIGIN_TOP_LEFT};
        int code = cv_view_draw(s->view, &target);
        if (code == CV_OK) s->drawn++;
        /* A stream without a frame yet (or since its server was lost), or whose frame the
         * server rewrote while it was read: nothing to draw this time. */
        else if (!(s->server[0] && (code == CV_ENOFRAME || code == CV_EBROKEN))) fail(c, "cv_view_draw", code);
    }
    if (c->timing) glFinish();
    double views_end = now_ms();
    rect(c, 40, 60, 300, 50, green);
    wlr_renderer_end(c->renderer);
    if (c->timing) glFinish();
    if (c->timing && c->frames < MAX_FRAMES) {
        c->frame_ms[c->frames] = now_ms() - frame_start;
        c->views_ms[c->frames] = views_end - views_start;
    }
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

/* "vision": [each VisionIPC view's counts]. */
static void print_vision(struct compositor *c) {
    printf("\"vision\": [");
    for (int i = 0, first = 1; i < c->source_count; i++) {
        struct source *s = &c->sources[i];
        cv_vision_statistics statistics = {0};
        if (!s->server[0] || !s->view || cv_view_visionipc_statistics(s->view, &statistics) != CV_OK) continue;
        printf("%s{\"server\": \"%s\", \"stream\": %u, \"drawn\": %ld, \"peer_errors\": %ld, \"delivered\": %ld, "
               "\"skipped\": %ld, \"torn\": %ld, \"connections\": %ld, \"restarts\": %ld, \"losses\": %ld, \"evictions\": %ld, "
               "\"slot_refusals\": %ld}",
               first ? "" : ", ", s->server, s->stream, s->drawn, s->peer_errors, statistics.delivered, statistics.skipped,
               statistics.torn, statistics.connections, statistics.restarts, statistics.losses, statistics.evictions,
               statistics.slot_refusals);
        first = 0;
    }
    printf("]");
}

/* SIGUSR1: a line of the running compositor's counts, for a supervisor. */
static int report(int signal, void *data) {
    struct compositor *c = data;
    printf("{\"frames\": %ld, ", c->frames);
    print_vision(c);
    printf("}\n");
    fflush(stdout);
    return 0;
}

static int stop(int signal, void *data) {
    wl_display_terminate(data);
    return 0;
}

/* Parses ":X:Y:OW:OH[:nearest][:center]" at `text`. */
static int parse_placement(const char *text, struct source *s) {
    int used = 0;
    if (sscanf(text, ":%d:%d:%d:%d%n", &s->x, &s->y, &s->out_width, &s->out_height, &used) != 4) return 0;
    for (const char *rest = text + used; *rest; ) {
        if (!strncmp(rest, ":nearest", 8)) { s->nearest = 1; rest += 8; }
        else if (!strncmp(rest, ":center", 7)) { s->center = 1; rest += 7; }
        else return 0;
    }
    return 1;
}

/* FILE:W:H:X:Y:OW:OH[...] */
static int parse_view(const char *argument, struct source *s) {
    char path[4096];
    const char *colon = strchr(argument, ':');
    if (!colon || (size_t)(colon - argument) >= sizeof path) return 0;
    memcpy(path, argument, colon - argument);
    path[colon - argument] = 0;
    int used = 0;
    if (sscanf(colon + 1, "%d:%d%n", &s->width, &s->height, &used) != 2 || !parse_placement(colon + 1 + used, s)) return 0;
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

/* SERVER:STREAM:X:Y:OW:OH[...] */
static int parse_vision(const char *argument, struct source *s) {
    const char *colon = strchr(argument, ':');
    if (!colon || colon == argument || (size_t)(colon - argument) >= sizeof s->server) return 0;
    memcpy(s->server, argument, colon - argument);
    s->server[colon - argument] = 0;
    int used = 0;
    return sscanf(colon + 1, "%u%n", &s->stream, &used) == 1 && parse_placement(colon + 1 + used, s);
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
        else if (!strcmp(argv[i], "--timing")) c.timing = 1;
        else if (!strcmp(argv[i], "--resubmit")) c.resubmit = 1;
        else if (!strcmp(argv[i], "--drm-node") && next) node = argv[++i];
        else if (!strcmp(argv[i], "--view") && next && c.source_count < MAX_VIEWS && parse_view(next, &c.sources[c.source_count])) {
            c.source_count++;
            i++;
        } else if (!strcmp(argv[i], "--vision") && next && c.source_count < MAX_VIEWS && parse_vision(next, &c.sources[c.source_count])) {
            c.source_count++;
            i++;
        } else {
            fprintf(stderr, "usage: %s [--size WxH] [--frames N] [--churn N] [--timing] [--resubmit] [--drm-node PATH]\n"
                            "       --view FILE:W:H:X:Y:OW:OH[:nearest][:center] ... --vision SERVER:STREAM:X:Y:OW:OH[:nearest][:center] ...\n",
                    argv[0]);
            return 2;
        }
    }
    if (c.timing) {
        c.frame_ms = calloc(MAX_FRAMES, sizeof *c.frame_ms);
        c.views_ms = calloc(MAX_FRAMES, sizeof *c.views_ms);
        if (!c.frame_ms || !c.views_ms) return 1;
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
    struct wl_event_source *status = wl_event_loop_add_signal(loop, SIGUSR1, report, &c);
    const char *socket = wl_display_add_socket_auto(c.display);
    if (!socket || !wlr_headless_add_output(c.backend, width, height) || !wlr_backend_start(c.backend)) {
        fprintf(stderr, "cameraview-compositor: cannot start (socket %s)\n", socket ? socket : "none");
        return 1;
    }
    printf("WAYLAND_DISPLAY=%s\n", socket);
    fflush(stdout);
    wl_display_run(c.display);

    /* The VisionIPC views' counts, then the views and the device go while the renderer's
     * context still exists. */
    printf("{");
    print_vision(&c);
    close_views(&c);
    if (c.device) {
        int code = cv_device_close(c.device);
        if (code != CV_OK) fail(&c, "cv_device_close", code);
    }
    long fd_growth = c.cycles > 0 ? c.fds_after_churn - c.fds_before_churn : 0;
    long live = cv_live_handles_in_process(), swept = cv_swept_in_process();
    long failed = cv_failed_deletions_in_process(), dropped = cv_dropped_in_process();
    long timed = c.frames < MAX_FRAMES ? c.frames : MAX_FRAMES;
    double frame_ms = c.timing ? median(c.frame_ms, timed) : 0, views_ms = c.timing ? median(c.views_ms, timed) : 0;
    printf(", \"frames\": %ld, \"cycles\": %ld, \"live\": %ld, \"swept\": %ld, \"failed_deletions\": %ld, \"dropped\": %ld, "
           "\"fd_growth\": %ld, \"heap_samples\": %d, \"heap_slope\": %.2f, \"frame_ms\": %.3f, \"views_ms\": %.3f}\n",
           c.frames, c.cycles, live, swept, failed, dropped, fd_growth, c.heap_samples,
           slope(c.heap_cycle, c.heap_bytes, c.heap_samples), frame_ms, views_ms);
    wl_event_source_remove(interrupt);
    wl_event_source_remove(terminate);
    wl_event_source_remove(status);
    wl_display_destroy_clients(c.display);
    wlr_backend_destroy(c.backend);
    wlr_output_layout_destroy(c.layout);
    wlr_allocator_destroy(c.allocator);
    wlr_renderer_destroy(c.renderer);
    wl_display_destroy(c.display);
    gbm_device_destroy(gbm);
    close(drm_fd);
    for (int i = 0; i < c.source_count; i++) free(c.sources[i].bytes);
    free(c.frame_ms);
    free(c.views_ms);
    return c.failed || live || swept || failed || dropped || fd_growth ? 1 : 0;
}
