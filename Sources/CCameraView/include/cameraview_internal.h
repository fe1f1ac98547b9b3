/* Not part of the C API: what the Swift half of the library calls in the C half. */
#ifndef CAMERAVIEW_INTERNAL_H
#define CAMERAVIEW_INTERNAL_H

/* Sets this thread's cv_last_error() text (copied); NULL clears it. */
void cameraview_set_last_error(const char *message);

#endif
