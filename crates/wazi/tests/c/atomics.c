/* Worker functions for host threads sharing one memory: atomic
 * increments, and plain increments under a mutex built on
 * compare-exchange, memory.atomic.wait and memory.atomic.notify. Built
 * freestanding by clang with atomics and an imported shared memory. */
static int counter;
static int mutex;
static long long plain_total;

void add(int n) {
  for (int i = 0; i < n; i++) __atomic_fetch_add(&counter, 1, __ATOMIC_SEQ_CST);
}

static void lock(void) {
  int expected = 0;
  while (!__atomic_compare_exchange_n(&mutex, &expected, 1, 0, __ATOMIC_SEQ_CST,
                                      __ATOMIC_SEQ_CST)) {
    /* Sleep while it is held (at most 10 ms: a lost wakeup only delays). */
    __builtin_wasm_memory_atomic_wait32(&mutex, 1, 10 * 1000 * 1000);
    expected = 0;
  }
}

static void unlock(void) {
  __atomic_store_n(&mutex, 0, __ATOMIC_SEQ_CST);
  __builtin_wasm_memory_atomic_notify(&mutex, 1);
}

void locked_add(int n) {
  for (int i = 0; i < n; i++) {
    lock();
    plain_total += 1;
    unlock();
  }
}

int counter_value(void) { return __atomic_load_n(&counter, __ATOMIC_SEQ_CST); }

long long total(void) {
  lock();
  long long t = plain_total;
  unlock();
  return t;
}
