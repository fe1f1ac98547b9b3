#ifndef CAMERAVIEW_ALLOCATION_ORIGIN_H
#define CAMERAVIEW_ALLOCATION_ORIGIN_H
/* Splits the allocations the malloc interposer counts into those the graphics stack
 * makes (EGL, GLES, libglvnd, Mesa's DRI driver, LLVM) and the rest (ours), by walking
 * each allocation's stack. Install allocation_origin_hook as the interposer's allocation
 * hook; it runs inside malloc, so it is C and allocates nothing itself. */
#include <stdint.h>

/* Call once before installing the hook: loads the unwinder (which allocates). */
void allocation_origin_prepare(void);
void allocation_origin_reset(void);
/* The interposer's hook: called with each counted allocation's size. */
void allocation_origin_hook(intptr_t size);
/* Allocations seen since the last reset, all of them and those made by the graphics stack. */
long allocation_origin_total(void);
long allocation_origin_graphics_stack(void);

#endif
