/* Starts N idle child processes that sleep until this program gets SIGTERM (it then kills and reaps them).
 * Prints "ready N" when all are running. Usage: idle-procs N */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile sig_atomic_t stop = 0;
static void on_term(int s) { (void)s; stop = 1; }

int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 100;
  pid_t *kids = calloc(n, sizeof(pid_t));
  signal(SIGTERM, on_term);
  signal(SIGINT, on_term);
  int started = 0;
  for (int i = 0; i < n; i++) {
    pid_t k = fork();
    if (k == 0) {
      signal(SIGTERM, SIG_DFL);
      for (;;) pause();
    }
    if (k < 0) break;
    kids[started++] = k;
  }
  printf("ready %d\n", started);
  fflush(stdout);
  while (!stop) pause();
  for (int i = 0; i < started; i++) kill(kids[i], SIGKILL);
  for (int i = 0; i < started; i++) waitpid(kids[i], NULL, 0);
  return 0;
}
