#define _GNU_SOURCE
#include "allocation_origin.h"

#include <dlfcn.h>
#include <execinfo.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <string.h>

static atomic_long total_count;
static atomic_long graphics_count;
/* An allocation made while walking a stack (the unwinder's own) is not walked again. */
static __thread bool walking;

/* Libraries of the graphics stack, matched against the file a return address lies in. */
static const char *const graphics_libraries[] = {
    "libEGL", "libGLES", "libGLdispatch", "libglapi", "_dri.so", "libgbm", "libLLVM", "libdrm",
};

static bool in_graphics_stack(const void *address) {
    Dl_info info;
    if (!dladdr(address, &info) || !info.dli_fname) return false;
    for (size_t i = 0; i < sizeof graphics_libraries / sizeof *graphics_libraries; i++) {
        if (strstr(info.dli_fname, graphics_libraries[i])) return true;
    }
    return false;
}

void allocation_origin_prepare(void) {
    void *frames[4];
    backtrace(frames, 4);
}

void allocation_origin_reset(void) {
    atomic_store(&total_count, 0);
    atomic_store(&graphics_count, 0);
}

void allocation_origin_hook(intptr_t size) {
    (void)size;
    if (walking) return;
    walking = true;
    atomic_fetch_add(&total_count, 1);
    void *frames[64];
    int depth = backtrace(frames, 64);
    for (int i = 0; i < depth; i++) {
        if (in_graphics_stack(frames[i])) {
            atomic_fetch_add(&graphics_count, 1);
            break;
        }
    }
    walking = false;
}

long allocation_origin_total(void) { return atomic_load(&total_count); }
long allocation_origin_graphics_stack(void) { return atomic_load(&graphics_count); }
