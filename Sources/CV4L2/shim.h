/* V4L2 for Swift: the ioctl request numbers (function-like macros Swift cannot import) and
 * an ioctl that retries when a signal interrupts it. */
#ifndef CV_V4L2_SHIM_H
#define CV_V4L2_SHIM_H

#include <errno.h>
#include <stdint.h>
#include <linux/videodev2.h>
#include <sys/ioctl.h>

static const unsigned long cv_VIDIOC_QUERYCAP = VIDIOC_QUERYCAP;
static const unsigned long cv_VIDIOC_ENUM_FMT = VIDIOC_ENUM_FMT;
static const unsigned long cv_VIDIOC_ENUM_FRAMESIZES = VIDIOC_ENUM_FRAMESIZES;
static const unsigned long cv_VIDIOC_G_FMT = VIDIOC_G_FMT;
static const unsigned long cv_VIDIOC_S_FMT = VIDIOC_S_FMT;
static const unsigned long cv_VIDIOC_S_PARM = VIDIOC_S_PARM;
static const unsigned long cv_VIDIOC_REQBUFS = VIDIOC_REQBUFS;
static const unsigned long cv_VIDIOC_QUERYBUF = VIDIOC_QUERYBUF;
static const unsigned long cv_VIDIOC_EXPBUF = VIDIOC_EXPBUF;
static const unsigned long cv_VIDIOC_QBUF = VIDIOC_QBUF;
static const unsigned long cv_VIDIOC_DQBUF = VIDIOC_DQBUF;
static const unsigned long cv_VIDIOC_STREAMON = VIDIOC_STREAMON;
static const unsigned long cv_VIDIOC_STREAMOFF = VIDIOC_STREAMOFF;
static const unsigned long cv_VIDIOC_QUERYCTRL = VIDIOC_QUERYCTRL;
static const unsigned long cv_VIDIOC_S_CTRL = VIDIOC_S_CTRL;
static const uint32_t cv_V4L2_CTRL_FLAG_NEXT_CTRL = V4L2_CTRL_FLAG_NEXT_CTRL;

static const uint32_t cv_V4L2_PIX_FMT_NV12 = V4L2_PIX_FMT_NV12;
static const uint32_t cv_V4L2_PIX_FMT_NV12M = V4L2_PIX_FMT_NV12M;

static inline int cv_v4l2_ioctl(int fd, unsigned long request, void *argument) {
    int result;
    do {
        result = ioctl(fd, request, argument);
    } while (result == -1 && errno == EINTR);
    return result;
}

#endif
