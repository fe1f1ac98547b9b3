// The SIGBUS guard. The handler is installed at the first guard (so a handler the host
// installed before, Python's faulthandler among them, is chained to, not replaced) and
// stays: removing it later could drop a handler someone installed after ours.
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/mman.h>

#include "visionipc_shim.h"

enum { GUARD_SLOTS = 1024 };

struct guard {
    _Atomic(uintptr_t) start;   // 0: a free slot
    _Atomic(size_t) length;
    atomic_int faulted;
};

static struct guard guards[GUARD_SLOTS];
static struct sigaction previous;
static pthread_once_t installed = PTHREAD_ONCE_INIT;
static int install_failed;

static void chain(int signal, siginfo_t *info, void *context) {
    if (previous.sa_flags & SA_SIGINFO) {
        previous.sa_sigaction(signal, info, context);
    } else if (previous.sa_handler == SIG_DFL || previous.sa_handler == SIG_IGN) {
        // Back to the default: the faulting access runs again and the process dies of
        // SIGBUS as it would have without us.
        sigaction(SIGBUS, &previous, NULL);
    } else {
        previous.sa_handler(signal);
    }
}

static void on_sigbus(int signal, siginfo_t *info, void *context) {
    uintptr_t address = (uintptr_t)info->si_addr;
    for (int slot = 0; slot < GUARD_SLOTS; slot++) {
        uintptr_t start = atomic_load(&guards[slot].start);
        size_t length = atomic_load(&guards[slot].length);
        if (start == 0 || address < start || address - start >= length) continue;
        // mmap is async-signal-safe in practice (a system call); MAP_FIXED replaces the
        // range in place, so the mapping's owner still unmaps exactly what it mapped.
        if (mmap((void *)start, length, PROT_READ, MAP_PRIVATE | MAP_FIXED | MAP_ANONYMOUS, -1, 0) == MAP_FAILED) break;
        atomic_store(&guards[slot].faulted, 1);
        return;
    }
    chain(signal, info, context);
}

static void install(void) {
    struct sigaction action = {0};
    action.sa_sigaction = on_sigbus;
    action.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigemptyset(&action.sa_mask);
    install_failed = sigaction(SIGBUS, &action, &previous) != 0;
}

int cvipc_fault_guard_add(void *start, size_t length) {
    if (start == NULL || length == 0) return -1;
    pthread_once(&installed, install);
    if (install_failed) return -1;
    for (int slot = 0; slot < GUARD_SLOTS; slot++) {
        uintptr_t free = 0;
        if (atomic_compare_exchange_strong(&guards[slot].start, &free, (uintptr_t)1)) {
            // Claimed (start 1 matches no fault: nothing is mapped at address 1; length is
            // still 0 from the last remove): fill it in, then publish the real start.
            atomic_store(&guards[slot].faulted, 0);
            atomic_store(&guards[slot].length, length);
            atomic_store(&guards[slot].start, (uintptr_t)start);
            return slot;
        }
    }
    return -1;
}

void cvipc_fault_guard_remove(int slot) {
    if (slot < 0 || slot >= GUARD_SLOTS) return;
    atomic_store(&guards[slot].length, 0);
    atomic_store(&guards[slot].start, 0);
}

int cvipc_fault_guard_faulted(int slot) {
    if (slot < 0 || slot >= GUARD_SLOTS) return 0;
    return atomic_load(&guards[slot].faulted);
}
