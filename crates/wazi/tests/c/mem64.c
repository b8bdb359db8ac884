/* A memory64 program: pointers are 64 bits. A sieve and a checksum over
 * a buffer past the first 64 KiB, built freestanding by clang for wasm64. */
static unsigned char sieve[200000];

long long primes_below(long long n) {
  if (n > (long long)sizeof sieve) n = sizeof sieve;
  for (long long i = 0; i < n; i++) sieve[i] = i >= 2;
  for (long long i = 2; i * i < n; i++)
    if (sieve[i])
      for (long long j = i * i; j < n; j += i) sieve[j] = 0;
  long long count = 0;
  for (long long i = 0; i < n; i++) count += sieve[i];
  return count;
}

unsigned long long checksum(void) {
  unsigned long long h = 1469598103934665603ull;
  for (unsigned char *p = sieve; p < sieve + sizeof sieve; p++) h = (h ^ *p) * 1099511628211ull;
  return h ^ (unsigned long long)(__SIZE_TYPE__)sieve;
}

unsigned long long pointer_size(void) { return sizeof(void *); }
