// What a page of fresh memory costs this host: maps MB megabytes of anonymous memory and writes one byte in each page,
// so that every write is a page fault (the kernel's, and on a virtual machine the host's), then writes them all again,
// with no fault. Prints the milliseconds per MB of each pass. With "huge", the memory is advised into transparent huge
// pages first (MADV_HUGEPAGE): a fault per 2 MB, what the same memory would cost a process that asked for them (the
// library asks for none: docs/performance.md, "Memory of held flows").
//
//   gcc -O2 -o /tmp/fresh-memory tools/bench/fresh-memory.c
//   taskset -c 0 /tmp/fresh-memory [MB [huge]]     (MB defaults to 128)
//
// tcpdump allocates almost nothing while it reads; a flow table holding every flow of the corpus until the end of input
// cannot. The main job's runs fault in 35,000 to 46,000 fresh pages (docs/performance.md, "Fresh memory and
// collections"), so a host where the first pass is slow moves every ratio to tcpdump: main-job.sh prints it beside
// the floor.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

static double seconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

// Writes one byte in each page; volatile, so the compiler keeps every write.
static void touch(volatile char *memory, size_t length, size_t page, char value) {
    for (size_t offset = 0; offset < length; offset += page) memory[offset] = value;
}

int main(int argc, char **argv) {
    long megabytes = argc > 1 ? strtol(argv[1], NULL, 10) : 128;
    if (megabytes <= 0 || megabytes > 65536) {
        fprintf(stderr, "usage: %s [MB [huge]]   (MB from 1 to 65536, default 128)\n", argv[0]);
        return 2;
    }
    size_t length = (size_t)megabytes << 20, page = (size_t)sysconf(_SC_PAGESIZE);
    char *memory = mmap(NULL, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (memory == MAP_FAILED) {
        perror("mmap");
        return 1;
    }
    if (argc > 2 && strcmp(argv[2], "huge") == 0 && madvise(memory, length, MADV_HUGEPAGE) != 0) {
        perror("madvise(MADV_HUGEPAGE)");
        return 1;
    }
    double start = seconds();
    touch(memory, length, page, 1);
    double faulted = seconds();
    touch(memory, length, page, 2);
    double again = seconds();
    printf("%.3f %.3f\n", (faulted - start) * 1e3 / megabytes, (again - faulted) * 1e3 / megabytes);
    munmap(memory, length);
    return 0;
}
