// The CPU converters `camview bench` compares against: libyuv and ffmpeg's swscale.
#include <libyuv.h>
#include <libswscale/swscale.h>
#include <libavutil/pixfmt.h>

// Flag macros Swift imports only as plain Int32s; kept here for one meaning each.
static const int cv_SWS_EXACT = SWS_POINT | SWS_ACCURATE_RND | SWS_FULL_CHR_H_INT | SWS_BITEXACT;
