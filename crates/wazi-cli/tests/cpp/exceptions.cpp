// C++ exceptions through frames with destructors, rethrows, nested
// try blocks, catch by base class and catch (...). Built with
// -fwasm-exceptions; only this program throws (zig's libc++ itself is
// built without exceptions).
#include <cstdio>
#include <stdexcept>
#include <string>
#include <vector>

struct Guard {
  const char *name;
  ~Guard() { std::printf("  unwind %s\n", name); }
};

struct Custom {
  int code;
};

static int digits(const std::string &s) {
  Guard g{"digits"};
  if (s.empty()) throw std::invalid_argument("empty");
  int v = 0;
  for (char c : s) {
    if (c == '-') throw std::out_of_range("negative: " + s);
    if (c < '0' || c > '9') throw Custom{c};
    v = v * 10 + (c - '0');
  }
  return v;
}

static int parse(const std::string &s, int depth) {
  Guard g{"parse"};
  if (depth > 0) return parse(s, depth - 1) + 1;
  return digits(s);
}

static int rethrowing(const std::string &s) {
  try {
    return parse(s, 2);
  } catch (const std::exception &e) {
    std::printf("  rethrowing %s\n", e.what());
    throw;
  }
}

int main() {
  std::vector<std::string> inputs = {"12", "", "-3", "x", "40", "7"};
  int sum = 0;
  for (const auto &s : inputs) {
    try {
      sum += rethrowing(s);
      std::printf("ok '%s'\n", s.c_str());
    } catch (const std::out_of_range &e) {
      std::printf("range: %s\n", e.what());
    } catch (const std::exception &e) {
      std::printf("error: %s\n", e.what());
    } catch (const Custom &c) {
      std::printf("custom: %d\n", c.code);
    }
  }
  int caught = 0;
  for (int i = 0; i < 10000; i++) {
    try {
      try {
        if (i % 3) throw i;
      } catch (int v) {
        if (v % 2) throw;
        caught += 1;
      }
    } catch (...) {
      caught += 2;
    }
  }
  std::printf("sum %d, caught %d\n", sum, caught);
  return 0;
}
