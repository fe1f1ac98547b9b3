/* CameraView's C API: NV12 camera frames rendered by a headless EGL/GLES renderer, for
 * compositors written in C. Link with `pkg-config --cflags --libs cameraview`
 * (libcameraview.so.0; see scripts/install-c).
 *
 * Every function returns CV_OK (0) or a negative CV_E* code; cv_last_error() then
 * describes the failure. Handles are opaque ids, not pointers: each *_close ends its
 * handle, and any later use of it (a second close included) returns CV_ECLOSED without
 * touching freed memory. Closing a device while views made on it are open is allowed:
 * each view keeps its own reference until it is closed. */
#ifndef CAMERAVIEW_H
#define CAMERAVIEW_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cv_device cv_device;
typedef struct cv_view cv_view;

enum {
    CV_OK = 0,
    CV_EINVAL = -1,   /* bad argument or frame layout */
    CV_EGL = -2,      /* an EGL call failed */
    CV_EGLES = -3,    /* a GL call failed, or the context is older than OpenGL ES 3.0 */
    CV_ENOFRAME = -4, /* nothing submitted yet */
    CV_ECLOSED = -5,  /* the handle was closed (or never issued) */
    CV_EOTHER = -6,
    CV_EUNCLEAN = -7, /* a close ended its handle, but swept objects its owner never
                         released or a deletion failed (cv_last_error names them): a bug */
    CV_EBROKEN = -8,  /* the frame's buffer was rewritten (torn) or truncated by its
                         producer while it was read: nothing was drawn */
    CV_ETIMEOUT = -9, /* no frame came within the wait */
    CV_EPEER = -10    /* a VisionIPC server broke the protocol or does not answer (its
                         answer, buffers or queue): the peer's fault, not the caller's */
};

enum { CV_BT601 = 0, CV_BT709 = 1 };
enum { CV_RANGE_FULL = 0, CV_RANGE_LIMITED = 1 };
/* Where 4:2:0 chroma samples sit: left edge, vertically centred (MPEG-2/H.264, cameras;
 * the default), centred (JPEG), or at the top-left luma sample. */
enum { CV_CHROMA_LEFT = 0, CV_CHROMA_CENTER = 1, CV_CHROMA_TOP_LEFT = 2 };
enum { CV_FIT_CONTAIN = 0, CV_FIT_COVER = 1, CV_FIT_STRETCH = 2 };
/* AUTOMATIC: area where the output shrinks the frame, else bilinear (at 1:1: exact luma,
 * chroma interpolated at its siting). NEAREST: exact codes. BILINEAR: luma and chroma
 * interpolated at their sites. AREA: box filter over each pixel's footprint. */
enum { CV_FILTER_AUTOMATIC = 0, CV_FILTER_NEAREST = 1, CV_FILTER_BILINEAR = 2, CV_FILTER_AREA = 3 };
/* What the output gets where the frame is not (contain's bars): opaque black, transparent
 * black, or left untouched (a host's framebuffer shows through; cv_view_render_rgba gives
 * transparent bars then). */
enum { CV_LETTERBOX_BLACK = 0, CV_LETTERBOX_TRANSPARENT = 1, CV_LETTERBOX_UNTOUCHED = 2 };

/* How a view places and samples its frame. All zero is the default: contained
 * (letterboxed, black bars), not mirrored, CV_FILTER_AUTOMATIC, no zoom, no transform. */
typedef struct cv_render_options {
    int fit;                       /* CV_FIT_* */
    int mirror;                    /* nonzero: mirrored horizontally (driver cameras) */
    int filter;                    /* CV_FILTER_* */
    double zoom;                   /* magnification about the frame's centre; 0 or 1: none */
    const double *frame_to_output; /* 9 doubles, row-major: frame pixel -> output pixel
                                      (homogeneous, projective allowed); NULL: fit and zoom.
                                      Copied by the call. */
    int letterbox;                 /* CV_LETTERBOX_* */
} cv_render_options;

/* The process-wide device (GBM, else Mesa surfaceless; CAMERAVIEW_PLATFORM overrides). */
int cv_device_open(cv_device **device);
/* A device over the caller's own EGL display and context (both stay the caller's). */
int cv_device_adopt(void *egl_display, void *egl_context, cv_device **device);
/* A device over the context current on the calling thread (a UI toolkit's: raylib, SDL,
 * GLFW): EGL, or GLX (desktop GL through X11), which is used only while it is current on
 * the calling thread and has no EGL display (dma-buf frames are mapped and uploaded
 * there). CV_EGL when neither is current. */
int cv_device_adopt_current(cv_device **device);
/* The device's EGLDisplay, for a host that creates its context beside ours. */
void *cv_device_egl_display(const cv_device *device);
int cv_device_close(cv_device *device);

int cv_view_create(cv_device *device, cv_view **view);
/* Uploads one NV12 frame now (Y plane, then UV at uv_offset; both with row stride `stride`,
 * the UV rows' rounded up to even when it is odd), straight from `data`, which is read
 * during the call only and never copied; the view draws the latest one submitted,
 * converting it once per target size and options however often it is drawn. With an
 * adopted context, call it where you draw (the context current, or free to be made so). */
int cv_view_submit_nv12(cv_view *view, const uint8_t *data, size_t size, int width, int height,
                        int stride, size_t uv_offset, int matrix, int range);
/* One plane of a dma-buf frame: the buffer's fd, where the plane starts, its row pitch. */
typedef struct cv_dmabuf_plane {
    int fd;
    uint32_t offset;
    uint32_t pitch;
} cv_dmabuf_plane;

/* Submits an NV12 frame held in dma-bufs (a camera's or decoder's buffer): Y in `luma`,
 * interleaved UV in `chroma` (the same fd or another). Imported zero-copy where the
 * device can read the buffer, else mapped and uploaded; imports are cached per
 * `buffer_index` (the buffer's place in the caller's ring). The fds stay the caller's and
 * must stay open, and the buffer unchanged, until the frame is replaced or the view
 * closed. `modifier`: DRM_FORMAT_MOD_LINEAR (0) only. Checked here: sizes, pitches, and
 * that each buffer covers its plane. Colour as for cv_view_submit_nv12; the chroma siting
 * is the view's (cv_view_set_chroma_location). */
int cv_view_submit_dmabuf(cv_view *view, int width, int height, const cv_dmabuf_plane *luma,
                          const cv_dmabuf_plane *chroma, uint64_t modifier, int matrix, int range,
                          int buffer_index);
/* The render, as the Swift API has it: one frame, one target, the options.
 * A frame is in memory (CV_FRAME_MEMORY: Y rows then UV rows at uv_offset, both with row
 * stride `stride`, the UV rows' rounded up to even; 0 for either takes the default of
 * cv_nv12_default_layout) or in dma-bufs (CV_FRAME_DMABUF: the planes, modifier and
 * buffer index of cv_view_submit_dmabuf). All zero beyond kind, size and data is BT.601
 * full range, chroma sited left. */
enum { CV_FRAME_MEMORY = 0, CV_FRAME_DMABUF = 1 };
typedef struct cv_frame {
    int kind; /* CV_FRAME_* */
    int width, height;
    int matrix, range, chroma_location; /* CV_BT*, CV_RANGE_*, CV_CHROMA_* */
    const uint8_t *data;                /* CV_FRAME_MEMORY */
    size_t size;
    int stride;
    size_t uv_offset;
    cv_dmabuf_plane luma, chroma; /* CV_FRAME_DMABUF */
    uint64_t modifier;
    int buffer_index;
} cv_frame;
/* Where a render goes, with the output's size: width x height RGBA8 rows at `rgba`
 * (CV_TARGET_RGBA, `size` bytes there), or framebuffer `fbo` of the current (host)
 * context at (x, y) (CV_TARGET_FBO, the host's GL state left as it was). `origin` says
 * where the frame's first row goes: CV_ORIGIN_BOTTOM_LEFT (0, GL's convention: upright on
 * a window surface) puts it at the viewport's top; CV_ORIGIN_TOP_LEFT at its lowest y,
 * for a framebuffer stored top row first (a wlroots output's buffer). */
enum { CV_TARGET_RGBA = 0, CV_TARGET_FBO = 1 };
enum { CV_ORIGIN_BOTTOM_LEFT = 0, CV_ORIGIN_TOP_LEFT = 1 };
typedef struct cv_target {
    int kind; /* CV_TARGET_* */
    int width, height;
    uint8_t *rgba; /* CV_TARGET_RGBA */
    size_t size;
    uint32_t fbo; /* CV_TARGET_FBO */
    int x, y;
    int origin; /* CV_TARGET_FBO: CV_ORIGIN_* */
} cv_target;
/* Renders `frame` into `target`, placed and sampled by `options` (NULL: the default). The
 * frame is read during the call only; submit/render below are conveniences over this. */
int cv_view_render(cv_view *view, const cv_frame *frame, const cv_target *target, const cv_render_options *options);
/* The default layout of a width x height NV12 frame: *stride (when it is 0 on entry:
 * width), the UV offset (stride * height) and the buffer size (the end of the UV plane). */
int cv_nv12_default_layout(int width, int height, int *stride, size_t *uv_offset, size_t *size);

/* How the view's last dma-buf frame reached the GPU: CV_IMPORT_* (0 before any). */
enum { CV_IMPORT_NONE = 0, CV_IMPORT_PER_PLANE = 1, CV_IMPORT_EXTERNAL = 2, CV_IMPORT_MAPPED_UPLOAD = 3 };
int cv_view_last_import_path(const cv_view *view);
/* The options for the view's later renders and draws; NULL restores the default. */
int cv_view_set_render_options(cv_view *view, const cv_render_options *options);
/* The chroma siting (CV_CHROMA_*) of frames submitted to the view after this call. */
int cv_view_set_chroma_location(cv_view *view, int location);
/* Draws the frame the view shows (the latest submitted, or received from its stream),
 * placed by the view's options, into `target`: a host's per-frame call, converting the
 * frame once however often it is drawn. The two calls below are shorthands for it. */
int cv_view_draw(cv_view *view, const cv_target *target);
/* Draws the latest frame, placed by the view's options, into framebuffer `fbo` at the viewport, in the
 * current (host) context, leaving the host's GL state as it was. */
int cv_view_render_to_fbo(cv_view *view, uint32_t fbo, int x, int y, int width, int height);
/* Renders the latest frame, placed by the view's options, to width x height RGBA8 rows at `rgba`. */
int cv_view_render_rgba(cv_view *view, uint8_t *rgba, size_t size, int width, int height);
/* Objects the view / device currently holds, and all live ones in the process. */
long cv_view_live_handles(const cv_view *view);
long cv_device_live_handles(const cv_device *device);
long cv_live_handles_in_process(void);
/* Objects a close had to sweep up because their owner never released them, and deletions
 * that failed (or could not run), over the whole process: both 0 in a correct program. */
long cv_swept_in_process(void);
long cv_failed_deletions_in_process(void);
/* Library objects (views, devices, sources) dropped without their close: 0 in a correct
 * program (the Python binding's safety net closes what it drops, and counts nothing here). */
long cv_dropped_in_process(void);
int cv_view_close(cv_view *view);

/* VisionIPC: openpilot's camera frames (camerad, or replay on a PC). A view becomes a
 * client of one stream of one server, as openpilot's CameraView("camerad",
 * VISION_STREAM_DRIVER) is; its sockets and queue are at /tmp/visionipc_<server> and
 * /dev/shm/msgq_visionipc_<server>_<stream>, under OPENPILOT_PREFIX when set. */
enum { CV_VISION_STREAM_ROAD = 0, CV_VISION_STREAM_DRIVER = 1, CV_VISION_STREAM_WIDE_ROAD = 2, CV_VISION_STREAM_MAP = 3 };
/* What a frame's packet said. */
typedef struct cv_vision_frame {
    uint32_t frame_id;
    uint64_t timestamp_sof, timestamp_eof; /* the server's clock, nanoseconds */
    int buffer_index;
    int width, height;
    int valid; /* the server's flag */
} cv_vision_frame;
/* Makes `view` a client of `stream` on `server`. Waits at most 100 ms for the server's
 * answer and succeeds with the server absent, stalled or not answering: the view connects
 * (again) while it waits for frames, as openpilot's UI retries. A request the server
 * answers late is still read to its end (openpilot's server aborts on a half-finished
 * one). */
int cv_view_connect_visionipc(cv_view *view, const char *server, uint32_t stream);
/* Waits up to `timeout_ms` for a frame newer than the last, conflated to the newest; makes
 * it the frame cv_view_render_rgba and cv_view_render_to_fbo draw and fills *frame (may
 * be NULL). Returns within the timeout (and well under a millisecond more) whatever the
 * server does. CV_ETIMEOUT when none came; CV_EPEER when the server's answer or queue
 * broke the protocol (the connection is dropped and tried again). Once the server is lost
 * the last frame is gone too: renders return CV_ENOFRAME until the next frame. A render
 * of a frame the server rewrote meanwhile, or had filled every other buffer since (its
 * next write goes to this one), returns CV_EBROKEN (counted as torn). */
int cv_view_wait_frame(cv_view *view, int timeout_ms, cv_vision_frame *frame);
/* 1 while connected to the server, 0 while not, or a CV_E* code. */
int cv_view_visionipc_connected(const cv_view *view);
/* The streams `server` serves: up to `capacity` ids in `streams`, how many in *count (0
 * with no server). Waits at most 1 s for the server's answers: CV_EPEER when none came
 * or the answer broke the protocol. */
int cv_visionipc_available_streams(const char *server, uint32_t *streams, int capacity, int *count);
/* A VisionIPC view's counts since it connected the first time. */
typedef struct cv_vision_statistics {
    long delivered;   /* frames wait_frame returned */
    long skipped;     /* older frames skipped for newer (conflate) */
    long torn;        /* frames the server rewrote (or was due to) while they were read: not drawn */
    long truncated;   /* buffers the server truncated while mapped: not drawn */
    long connections; /* connections made (the first and every reconnection) */
    long restarts;    /* server restarts noticed (new server id or queue writer) */
    long losses;      /* servers lost (silence, then a refusing socket) */
    long evictions;   /* times another reader's registration evicted this process's slot */
    long queue_readers; /* reader slots the stream's queue has registered, all processes */
    long slot_refusals; /* registrations that found every reader slot taken: the view
                           waited and tried again later, evicting no one */
    long no_slot;       /* 1 while connected without a reader slot (the queue is full: no
                           frames come until one is free), else 0 */
} cv_vision_statistics;
int cv_view_visionipc_statistics(const cv_view *view, cv_vision_statistics *statistics);

/* The library's version, "MAJOR.MINOR.PATCH" (VERSION at the package root; the installed
 * header also defines it as CAMERAVIEW_VERSION, and pkg-config --modversion gives it). */
const char *cv_version(void);

/* What the calling thread's last call that failed said, or "" when its last call
 * succeeded (a success clears it). Never NULL; valid until the thread's next call. */
const char *cv_last_error(void);

#ifdef __cplusplus
}
#endif

#endif
