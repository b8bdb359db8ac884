/* A wasi-libc command: its arguments back, one line. */
#include <stdio.h>

int main(int argc, char **argv) {
    printf("Hello from C:");
    for (int i = 0; i < argc; i++) printf(" %s", argv[i]);
    printf("\n");
    return 0;
}
