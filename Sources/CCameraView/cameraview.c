/* The C half of the C API: the version (VERSION, defined by Package.swift) and the
 * per-thread last-error text (a pthread key, so each thread's message is freed when the
 * thread ends). The rest is Swift (Sources/CameraViewC). */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "cameraview.h"
#include "cameraview_internal.h"

static pthread_key_t error_key;
static pthread_once_t error_once = PTHREAD_ONCE_INIT;

static void make_error_key(void) { pthread_key_create(&error_key, free); }

void cameraview_set_last_error(const char *message) {
    pthread_once(&error_once, make_error_key);
    free(pthread_getspecific(error_key));
    pthread_setspecific(error_key, message ? strdup(message) : NULL);
}

const char *cv_version(void) {
    return CAMERAVIEW_PACKAGE_VERSION;
}

const char *cv_last_error(void) {
    pthread_once(&error_once, make_error_key);
    const char *message = pthread_getspecific(error_key);
    return message ? message : "";
}
