/* What VisionIPC needs of C that Swift cannot spell (prefixed cvipc_, not cv_: the shipped
 * library exports only cameraview.h's cv_* functions): 64-bit atomics on a header shared
 * with other processes (msgq's queue), the SCM_RIGHTS control-message layout (CMSG_*
 * macros), and a SIGBUS guard over mappings another process may truncate. */
#ifndef CAMERAVIEW_VISIONIPC_SHIM_H
#define CAMERAVIEW_VISIONIPC_SHIM_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

/* Sequentially consistent, like msgq's std::atomic<uint64_t> accesses. */
uint64_t cvipc_atomic_load_u64(const uint64_t *address);
void cvipc_atomic_store_u64(uint64_t *address, uint64_t value);
/* 1 when *address held `expected` and now holds `desired`. */
int cvipc_atomic_cas_u64(uint64_t *address, uint64_t expected, uint64_t desired);
/* A full barrier, as msgq's writer issues between the payload and the write pointer. */
void cvipc_atomic_fence(void);

/* Bytes of control buffer that carry `count` fds. */
size_t cvipc_scm_rights_space(int count);
/* Copies the fds of every SCM_RIGHTS message in `message` into `fds` and returns how many
 * there are. With a control buffer of cvipc_scm_rights_space(capacity) no more than
 * `capacity` can arrive (the kernel keeps the rest and sets MSG_CTRUNC). */
int cvipc_scm_rights_fds(const struct msghdr *message, int *fds, int capacity);
/* Whether the kernel truncated the message or its control data (MSG_TRUNC, MSG_CTRUNC). */
int cvipc_message_truncated(const struct msghdr *message);

/* A SIGBUS guard over [start, start + length): a fault there (the file behind a shared
 * mapping shrank) maps zero pages over the whole range, readable and, when `writable`, also
 * writable (a queue's readers write their place into it), and marks the guard faulted, as
 * libwayland-server does for shm pools, instead of killing the process. Any other SIGBUS
 * goes to the handler ours displaced, and ours stays installed (fault_guard.c says how).
 * Returns the guard's slot, or -1 when every slot is taken or the handler cannot be
 * installed. */
int cvipc_fault_guard_add(void *start, size_t length, int writable);
void cvipc_fault_guard_remove(int slot);
/* 1 once a fault hit the guard's range (its pages are zero from then on). */
int cvipc_fault_guard_faulted(int slot);
/* Puts the handler back on top when the host installed another after it (which then
 * becomes the one non-guarded signals go to). 0, or -1 when sigaction failed. */
int cvipc_fault_guard_rearm(void);
/* The u64 at `address` read atomically when it is 8-byte aligned, else byte by byte (a
 * peer's offsets are not trusted to be aligned; aarch64 faults on a misaligned atomic). */
uint64_t cvipc_load_u64_any(const void *address);

#endif
