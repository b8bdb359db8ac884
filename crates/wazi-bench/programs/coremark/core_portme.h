/* wazi's port of CoreMark to freestanding wasm32 (no imports).
 *
 * The benchmark's own sources (https://github.com/eembc/coremark) are not
 * in this repository: ../build.sh compiles them from a checkout named by
 * COREMARK_DIR together with this port, and the result, coremark.wasm, is
 * committed. Timing is the harness's: the port's clock stands still, and
 * `run(iterations)` returns the benchmark's final CRC after checking that
 * CoreMark validated its own results (see core_portme.c). */
#ifndef CORE_PORTME_H
#define CORE_PORTME_H

#include <stddef.h>

#define HAS_FLOAT 0
#define HAS_TIME_H 0
#define USE_CLOCK 0
#define HAS_STDIO 0
#define HAS_PRINTF 0
#define COMPILER_VERSION "clang " __clang_version__
#define COMPILER_FLAGS "-O2 --target=wasm32 -mbulk-memory"
#define MEM_LOCATION "STACK"

typedef signed short ee_s16;
typedef unsigned short ee_u16;
typedef signed int ee_s32;
typedef unsigned char ee_u8;
typedef unsigned int ee_u32;
typedef ee_u32 ee_ptr_int;
typedef size_t ee_size_t;

/* Rounds a pointer up to a multiple of 4 bytes. */
#define align_mem(x) (void *)(4 + (((ee_ptr_int)(x)-1) & ~3))

#define CORETIMETYPE ee_u32
typedef ee_u32 CORE_TICKS;

/* Seeds come from volatile variables (set by `run`), so the compiler
 * cannot fold the work away. */
#define SEED_METHOD SEED_VOLATILE
#define MEM_METHOD MEM_STACK
#define MULTITHREAD 1
#define USE_PTHREAD 0
#define USE_FORK 0
#define USE_SOCKET 0
#define MAIN_HAS_NOARGC 1
#define MAIN_HAS_NORETURN 0

extern ee_u32 default_num_contexts;

typedef struct CORE_PORTABLE_S {
    ee_u8 portable_id;
} core_portable;

void portable_init(core_portable *p, int *argc, char *argv[]);
void portable_fini(core_portable *p);

/* TOTAL_DATA_SIZE stays at coremark.h's 2000: the performance run, with
 * seeds 0, 0, 0x66. */
#define PERFORMANCE_RUN 1

int ee_printf(const char *fmt, ...);

#endif
