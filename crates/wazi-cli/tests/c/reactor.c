/* A wasi-libc reactor (no main): exports for `--invoke`, one printing through WASI. */
#include <stdio.h>
#include <stdlib.h>

static unsigned calls;

__attribute__((export_name("add"))) unsigned add(unsigned a, unsigned b) {
    calls++;
    return a + b;
}

__attribute__((export_name("greet"))) void greet(void) {
    const char *who = getenv("WHO");
    printf("hello from a C reactor, %s (call %u)\n", who ? who : "nobody", ++calls);
    fflush(stdout);
}
