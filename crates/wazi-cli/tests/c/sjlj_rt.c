/* The runtime of LLVM's exception-based setjmp/longjmp lowering for wasm
 * (what Emscripten's and wasi-sdk's libraries provide; Debian's wasi-libc
 * has none): setjmp records the buffer in a per-function table,
 * longjmp throws the C longjmp tag with the buffer and value, and the
 * catching function looks its buffers up to find where to resume. */
#include <stdint.h>
#include <stdlib.h>

struct entry {
  uint32_t id, label;
};

static uint32_t temp_ret0, next_id;

uint32_t getTempRet0(void) { return temp_ret0; }

/* Records `env` (its new id) with `label` in `table` of `size` entries,
 * growing it if full; the table's size is returned through getTempRet0. */
struct entry *saveSetjmp(uint32_t *env, uint32_t label, struct entry *table,
                         uint32_t size) {
  *env = ++next_id;
  for (uint32_t i = 0; i < size; i++) {
    if (table[i].id == 0) {
      table[i].id = *env;
      table[i].label = label;
      table[i + 1].id = 0;
      temp_ret0 = size;
      return table;
    }
  }
  struct entry *bigger = realloc(table, sizeof(struct entry) * (2 * size + 1));
  if (!bigger) abort();
  bigger[size].id = 0;
  return saveSetjmp(env, label, bigger, 2 * size);
}

/* The label of the setjmp whose buffer has `id`, or 0 if the table has
 * none (the longjmp goes on to an outer function). */
uint32_t testSetjmp(uint32_t id, struct entry *table, uint32_t size) {
  for (uint32_t i = 0; i < size && table[i].id != 0; i++)
    if (table[i].id == id) return table[i].label;
  return 0;
}

static struct {
  void *env;
  int val;
} longjmp_args;

/* longjmp: setjmp returns `val`, or 1 for 0 (C11 7.13.2.1). */
void __wasm_longjmp(void *env, int val) {
  longjmp_args.env = env;
  longjmp_args.val = val ? val : 1;
  __builtin_wasm_throw(1, &longjmp_args);
}
