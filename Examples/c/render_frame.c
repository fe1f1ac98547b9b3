/* A C compositor's first frame: open the device, submit an NV12 frame, render it to RGBA,
 * check a pixel, close everything (and see that closing twice is harmless).
 *
 *   scripts/install-c --prefix /usr/local
 *   cc -o render_frame render_frame.c $(pkg-config --cflags --libs cameraview)
 *   ./render_frame                      # prints "render_frame: ok" */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cameraview.h>

enum { WIDTH = 64, HEIGHT = 48 };

static int fail(const char *what, int code) {
    fprintf(stderr, "render_frame: %s: %d (%s)\n", what, code, cv_last_error());
    return 1;
}

int main(void) {
    /* Grey 180 everywhere: Y 180, Cb = Cr = 128 (BT.601 full range). */
    static uint8_t frame[WIDTH * HEIGHT * 3 / 2];
    memset(frame, 180, WIDTH * HEIGHT);
    memset(frame + WIDTH * HEIGHT, 128, WIDTH * HEIGHT / 2);

    cv_device *device = NULL;
    cv_view *view = NULL;
    int code;
    if ((code = cv_device_open(&device)) != CV_OK) return fail("cv_device_open", code);
    if ((code = cv_view_create(device, &view)) != CV_OK) return fail("cv_view_create", code);
    if ((code = cv_view_submit_nv12(view, frame, sizeof frame, WIDTH, HEIGHT, WIDTH, WIDTH * HEIGHT, CV_BT601, CV_RANGE_FULL)) != CV_OK)
        return fail("cv_view_submit_nv12", code);

    /* Shown at half size, mirrored, with the default (automatic: area) filter. */
    cv_render_options options = { .mirror = 1 };
    if ((code = cv_view_set_render_options(view, &options)) != CV_OK) return fail("cv_view_set_render_options", code);
    static uint8_t rgba[WIDTH / 2 * HEIGHT / 2 * 4];
    if ((code = cv_view_render_rgba(view, rgba, sizeof rgba, WIDTH / 2, HEIGHT / 2)) != CV_OK) return fail("cv_view_render_rgba", code);
    if (rgba[0] != 180 || rgba[1] != 180 || rgba[2] != 180 || rgba[3] != 255) {
        fprintf(stderr, "render_frame: pixel 0 is %d,%d,%d,%d, expected 180,180,180,255\n", rgba[0], rgba[1], rgba[2], rgba[3]);
        return 1;
    }

    if ((code = cv_view_close(view)) != CV_OK) return fail("cv_view_close", code);
    if ((code = cv_device_close(device)) != CV_OK) return fail("cv_device_close", code);
    if (cv_view_close(view) != CV_ECLOSED) return fail("a second cv_view_close", CV_OK);
    if (cv_live_handles_in_process() != 0 || cv_swept_in_process() != 0) {
        fprintf(stderr, "render_frame: %ld objects left, %ld swept\n", cv_live_handles_in_process(), cv_swept_in_process());
        return 1;
    }
    printf("render_frame: ok\n");
    return 0;
}
