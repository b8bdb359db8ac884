/* setjmp/longjmp through nested frames, in loops, with the value 0
 * (setjmp then returns 1), from several buffers at once. Built for wasm
 * with clang's exception-based lowering (-mllvm -wasm-enable-sjlj), whose
 * runtime is sjlj_rt.c; built natively with the C library's. The two
 * outputs must be the same. */
#ifdef __wasm__
typedef unsigned long jmp_buf[8];
int setjmp(jmp_buf);
void longjmp(jmp_buf, int) __attribute__((noreturn));
#else
#include <setjmp.h>
#endif
#include <stdio.h>
#include <string.h>

static jmp_buf outer, inner;
static int trace[64], traced;

static int descend(int n, int code) {
  char buf[32];
  snprintf(buf, sizeof buf, "frame %d", n);
  trace[traced++ % 64] = n;
  if (n == 0) longjmp(outer, code);
  return descend(n - 1, code) + (int)strlen(buf);
}

static int with_inner(int v) {
  int r = setjmp(inner);
  if (r == 0) {
    if (v % 2) longjmp(inner, v * 10);
    return -1;
  }
  return r;
}

int main(void) {
  volatile int round = 0, sum = 0;
  int r = setjmp(outer);
  printf("round %d: setjmp returned %d\n", round, r);
  sum += r;
  if (round < 5) {
    round++;
    descend(round * 7, round == 3 ? 0 : round * 11);
  }
  for (int i = 0; i < 6; i++) printf("inner(%d) = %d\n", i, with_inner(i));
  long total = 0;
  for (int i = 0; i < 1000; i++) {
    jmp_buf local;
    volatile int k = i;
    if (setjmp(local) == 0) {
      if (k % 3 == 0) longjmp(local, k + 1);
      total += k;
    } else {
      total -= 1;
    }
  }
  printf("sum %d, frames %d, total %ld\n", sum, traced, total);
  return 0;
}
