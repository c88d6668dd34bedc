/* The floor for the sampling pattern: for every process read oom_score, oom_score_adj, statm, comm and
 * stat with open/read/close, as a minimal C program would. Prints CPU microseconds per pass and per process.
 * Usage: floor PROC_ROOT PASSES [INTERVAL_MS]
 * With INTERVAL_MS, one pass starts every INTERVAL_MS (as a sampler at that rate would) and the total CPU is printed too. */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

static char buf[16384];

static void slurp(const char *root, const char *pid, const char *name) {
  char path[256];
  snprintf(path, sizeof path, "%s/%s/%s", root, pid, name);
  int fd = open(path, O_RDONLY);
  if (fd < 0) return;
  ssize_t n = read(fd, buf, sizeof buf);
  (void)n;
  close(fd);
}

static double cpu_us(void) {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_utime.tv_sec * 1e6 + ru.ru_utime.tv_usec + ru.ru_stime.tv_sec * 1e6 + ru.ru_stime.tv_usec;
}

int main(int argc, char **argv) {
  const char *root = argc > 1 ? argv[1] : "/proc";
  int passes = argc > 2 ? atoi(argv[2]) : 10;
  long interval_ms = argc > 3 ? atol(argv[3]) : 0;
  struct timespec next;
  clock_gettime(CLOCK_MONOTONIC, &next);
  const char *files[] = {"oom_score", "oom_score_adj", "statm", "comm", "stat"};
  long procs = 0;
  double t0 = cpu_us();
  for (int p = 0; p < passes; p++) {
    DIR *d = opendir(root);
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
      if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
      for (int f = 0; f < 5; f++) slurp(root, e->d_name, files[f]);
      if (p == 0) procs++;
    }
    closedir(d);
    if (interval_ms > 0 && p + 1 < passes) {
      next.tv_nsec += (interval_ms % 1000) * 1000000L;
      next.tv_sec += interval_ms / 1000 + next.tv_nsec / 1000000000L;
      next.tv_nsec %= 1000000000L;
      clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL);
    }
  }
  double per_pass = (cpu_us() - t0) / passes;
  printf("{\"processes\": %ld, \"cpuUsPerPass\": %.0f, \"cpuUsPerProcess\": %.2f, \"cpuUsTotal\": %.0f}\n", procs, per_pass,
         per_pass / procs, per_pass * passes);
  return 0;
}
