// The SIGBUS guard. The rule (docs/visionipc.md): our handler stays installed, on top.
// - A fault inside a guarded range is ours: zero pages with the range's own protection go
//   over it and the read (or a reader's write into a queue) carries on.
// - Any other SIGBUS goes to the handler we displaced, and we stay installed. When that is
//   the default and the signal is fatal (a fault elsewhere, or a kill), the process dies
//   of SIGBUS as it would have without us.
// - A handler installed after ours (Python's faulthandler) would see guarded faults first
//   and call them fatal: cvipc_fault_guard_rearm, called before guarded reads, puts ours
//   back on top and chains to it.
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "visionipc_shim.h"

enum { GUARD_SLOTS = 1024 };

struct guard {
    _Atomic(uintptr_t) start;   // 0: a free slot
    _Atomic(size_t) length;
    atomic_int protection;
    atomic_int faulted;
};

static struct guard guards[GUARD_SLOTS];
// The handler ours displaced, in two slots so the signal handler never reads one half
// written: `current` says which is valid.
static struct sigaction displaced[2];
static atomic_int current;
static pthread_mutex_t arming = PTHREAD_MUTEX_INITIALIZER;
// The thread inside a displaced handler we called, so that its re-raise (faulthandler
// restores its predecessor, us, and raises again) does not loop back into it.
static atomic_int forwarding_thread;

static void on_sigbus(int signal, siginfo_t *info, void *context);

static int is_ours(const struct sigaction *action) {
    return (action->sa_flags & SA_SIGINFO) && action->sa_sigaction == on_sigbus;
}

// The default action of SIGBUS (terminate with a core dump), taken now.
static void die_of_sigbus(int is_fault) {
    struct sigaction fallback = {0};
    fallback.sa_handler = SIG_DFL;
    sigemptyset(&fallback.sa_mask);
    sigaction(SIGBUS, &fallback, NULL);
    // A fault re-runs its access on return and dies there; a sent signal is sent again.
    if (!is_fault) raise(SIGBUS);
}

static void forward(int signal, siginfo_t *info, void *context) {
    int is_fault = info != NULL && info->si_code > 0;
    int thread = (int)syscall(SYS_gettid);
    const struct sigaction *previous = &displaced[atomic_load(&current)];
    if (atomic_load(&forwarding_thread) == thread) {
        die_of_sigbus(is_fault);
        return;
    }
    if (previous->sa_flags & SA_SIGINFO) {
        atomic_store(&forwarding_thread, thread);
        previous->sa_sigaction(signal, info, context);
        atomic_store(&forwarding_thread, 0);
    } else if (previous->sa_handler == SIG_IGN) {
        // Ignored, as asked; a fault cannot be ignored (it would run again forever).
        if (is_fault) die_of_sigbus(1);
    } else if (previous->sa_handler == SIG_DFL) {
        die_of_sigbus(is_fault);
    } else {
        atomic_store(&forwarding_thread, thread);
        previous->sa_handler(signal);
        atomic_store(&forwarding_thread, 0);
    }
}

static void on_sigbus(int signal, siginfo_t *info, void *context) {
    // Only a fault of the kernel's has an address to match: a sent SIGBUS carries a pid there.
    if (info != NULL && info->si_code > 0) {
        uintptr_t address = (uintptr_t)info->si_addr;
        for (int slot = 0; slot < GUARD_SLOTS; slot++) {
            uintptr_t start = atomic_load(&guards[slot].start);
            size_t length = atomic_load(&guards[slot].length);
            if (start == 0 || address < start || address - start >= length) continue;
            // mmap is async-signal-safe in practice (a system call); MAP_FIXED replaces the
            // range in place, so the mapping's owner still unmaps exactly what it mapped.
            int protection = atomic_load(&guards[slot].protection);
            if (mmap((void *)start, length, protection, MAP_PRIVATE | MAP_FIXED | MAP_ANONYMOUS, -1, 0) == MAP_FAILED) break;
            atomic_store(&guards[slot].faulted, 1);
            return;
        }
    }
    forward(signal, info, context);
}

int cvipc_fault_guard_rearm(void) {
    struct sigaction installed;
    if (sigaction(SIGBUS, NULL, &installed) != 0) return -1;
    if (is_ours(&installed)) return 0;
    pthread_mutex_lock(&arming);
    int result = 0;
    if (sigaction(SIGBUS, NULL, &installed) != 0) {
        result = -1;
    } else if (!is_ours(&installed)) {
        int next = 1 - atomic_load(&current);
        displaced[next] = installed;
        atomic_store(&current, next);
        struct sigaction action = {0};
        action.sa_sigaction = on_sigbus;
        action.sa_flags = SA_SIGINFO | SA_NODEFER | SA_ONSTACK;
        sigemptyset(&action.sa_mask);
        result = sigaction(SIGBUS, &action, NULL);
    }
    pthread_mutex_unlock(&arming);
    return result;
}

int cvipc_fault_guard_add(void *start, size_t length, int writable) {
    if (start == NULL || length == 0) return -1;
    if (cvipc_fault_guard_rearm() != 0) return -1;
    for (int slot = 0; slot < GUARD_SLOTS; slot++) {
        uintptr_t free = 0;
        if (atomic_compare_exchange_strong(&guards[slot].start, &free, (uintptr_t)1)) {
            // Claimed (start 1 matches no fault: nothing is mapped at address 1; length is
            // still 0 from the last remove): fill it in, then publish the real start.
            atomic_store(&guards[slot].faulted, 0);
            atomic_store(&guards[slot].protection, writable ? PROT_READ | PROT_WRITE : PROT_READ);
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
