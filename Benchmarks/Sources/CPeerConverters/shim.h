// The CPU converters camview-bench compares against: libyuv and ffmpeg's swscale.
#include <libyuv.h>
#include <libswscale/swscale.h>
#include <libavutil/pixfmt.h>

// Flag macros Swift imports only as plain Int32s; kept here for one meaning each.
// The colour oracle: nearest chroma, accurate rounding, full chroma interpolation, bit-exact.
static const int cv_SWS_EXACT = SWS_POINT | SWS_ACCURATE_RND | SWS_FULL_CHR_H_INT | SWS_BITEXACT;
// What a user gets by default: ffmpeg's scale filter flags (bicubic), SIMD paths allowed.
static const int cv_SWS_DEFAULT = SWS_BICUBIC;

// libyuv's NV12ToABGRMatrix is a macro (NV21ToARGBMatrix with the VU constants): a
// function here, with the constants of the frame's own matrix and range.
static inline int cv_NV12ToABGR(const uint8_t *y, int y_stride, const uint8_t *uv, int uv_stride,
                                uint8_t *rgba, int rgba_stride, int width, int height, int bt709, int full) {
    const struct YuvConstants *constants = bt709 ? (full ? &kYvuF709Constants : &kYvuH709Constants)
                                                 : (full ? &kYvuJPEGConstants : &kYvuI601Constants);
    return NV21ToARGBMatrix(y, y_stride, uv, uv_stride, rgba, rgba_stride, constants, width, height);
}
