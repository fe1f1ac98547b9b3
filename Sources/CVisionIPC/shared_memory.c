#include <string.h>

#include "visionipc_shim.h"

uint64_t cvipc_atomic_load_u64(const uint64_t *address) { return __atomic_load_n(address, __ATOMIC_SEQ_CST); }

void cvipc_atomic_store_u64(uint64_t *address, uint64_t value) { __atomic_store_n(address, value, __ATOMIC_SEQ_CST); }

int cvipc_atomic_cas_u64(uint64_t *address, uint64_t expected, uint64_t desired) {
    return __atomic_compare_exchange_n(address, &expected, desired, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
}

void cvipc_atomic_fence(void) { __atomic_thread_fence(__ATOMIC_SEQ_CST); }

size_t cvipc_scm_rights_space(int count) { return count > 0 ? CMSG_SPACE(sizeof(int) * (size_t)count) : 0; }

int cvipc_scm_rights_fds(const struct msghdr *message, int *fds, int capacity) {
    int total = 0;
    for (struct cmsghdr *header = CMSG_FIRSTHDR(message); header != NULL;
         header = CMSG_NXTHDR((struct msghdr *)message, header)) {
        if (header->cmsg_level != SOL_SOCKET || header->cmsg_type != SCM_RIGHTS) continue;
        size_t count = (header->cmsg_len - CMSG_LEN(0)) / sizeof(int);
        const unsigned char *data = CMSG_DATA(header);
        for (size_t i = 0; i < count && total < capacity; i++, total++) {
            memcpy(&fds[total], data + i * sizeof(int), sizeof(int));
        }
    }
    return total;
}

int cvipc_message_truncated(const struct msghdr *message) { return (message->msg_flags & (MSG_CTRUNC | MSG_TRUNC)) != 0; }

uint64_t cvipc_load_u64_any(const void *address) {
    if (((uintptr_t)address & 7) == 0) return __atomic_load_n((const uint64_t *)address, __ATOMIC_SEQ_CST);
    uint64_t value;
    memcpy(&value, address, sizeof value);
    return value;
}
