// Stalls of each CPU, and whether they come together: one SCHED_FIFO 1 thread pinned to each CPU sleeps PERIOD_US in
// a loop and notes every wake-up late by 2 ms or more. A real-time thread that is woken late has a CPU that did not
// run: on a virtual machine, a virtual CPU the host did not run. What fills a capture's buffer is a stall of the
// capture thread's CPU alone, while another CPU runs the kernel's receive path; a stall of every CPU at once stops the
// delivery too. So the share of one CPU's stalls that the other does not share is what a standby reader on the other
// CPU can cover (docs/live.md, "Standby reader").
//
//   gcc -O2 -pthread -o /tmp/vcpu-stalls tools/bench/vcpu-stalls.c
//   sudo /tmp/vcpu-stalls SECONDS [PERIOD_US]     (PERIOD_US defaults to 1000)
//
// Prints per CPU the wake-ups late by 2 ms or more, those late by 3 ms or more, the latest, and how many of the
// latter overlapped by 1 ms or more a late wake-up of another CPU. Needs CAP_SYS_NICE for the real-time policy
// (without it the threads run at normal priority and the figures mean less: it says so).
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#define MAX_CPUS 16
#define MAX_EVENTS 20000

struct stall { double start, late; };

struct cpu_log {
    int cpu;
    int count;
    struct stall events[MAX_EVENTS];
};

static double seconds, period, origin;
static int realtime_refused;

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static void *watch(void *arg)
{
    struct cpu_log *log = arg;
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(log->cpu, &set);
    pthread_setaffinity_np(pthread_self(), sizeof set, &set);
    struct sched_param param = { .sched_priority = 1 };
    if (pthread_setschedparam(pthread_self(), SCHED_FIFO, &param) != 0) realtime_refused = 1;
    struct timespec sleep = { 0, (long)(period * 1e9) };
    while (now() - origin < seconds) {
        double before = now();
        nanosleep(&sleep, NULL);
        double late = now() - before - period;
        if (late >= 0.002 && log->count < MAX_EVENTS)
            log->events[log->count++] = (struct stall){ before - origin, late };
    }
    return NULL;
}

static int overlaps(const struct stall *a, const struct stall *b)
{
    double end_a = a->start + a->late + period, end_b = b->start + b->late + period;
    double start = a->start > b->start ? a->start : b->start;
    double end = end_a < end_b ? end_a : end_b;
    return end - start >= 0.001;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s SECONDS [PERIOD_US]\n", argv[0]);
        return 2;
    }
    seconds = atof(argv[1]);
    period = (argc > 2 ? atof(argv[2]) : 1000) * 1e-6;
    int cpus = (int)sysconf(_SC_NPROCESSORS_ONLN);
    if (cpus > MAX_CPUS) cpus = MAX_CPUS;
    static struct cpu_log logs[MAX_CPUS];
    pthread_t threads[MAX_CPUS];
    origin = now();
    for (int i = 0; i < cpus; i++) {
        logs[i].cpu = i;
        pthread_create(&threads[i], NULL, watch, &logs[i]);
    }
    for (int i = 0; i < cpus; i++) pthread_join(threads[i], NULL);
    if (realtime_refused) printf("real-time policy refused: the threads ran at normal priority\n");
    for (int i = 0; i < cpus; i++) {
        int long_ones = 0, together = 0;
        double latest = 0;
        for (int k = 0; k < logs[i].count; k++) {
            const struct stall *s = &logs[i].events[k];
            if (s->late > latest) latest = s->late;
            if (s->late < 0.003) continue;
            long_ones++;
            int met = 0;
            for (int j = 0; j < cpus && !met; j++)
                for (int m = 0; j != i && m < logs[j].count && !met; m++) met = overlaps(s, &logs[j].events[m]);
            together += met;
        }
        printf("cpu %d: %d late by 2 ms or more, %d by 3 ms or more (latest %.1f ms), %d of those with another CPU late\n",
               i, logs[i].count, long_ones, latest * 1000, together);
    }
    return 0;
}
