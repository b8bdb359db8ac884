// Workloads for the component benchmark (componentize-js, StarlingMonkey,
// SpiderMonkey's interpreter): `bench.wasm KERNEL N` prints one checksum
// line. The same kernels as bench.py.
import { getArguments } from 'wasi:cli/environment@0.2.12';

function fib(n) {
  return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

function nbody(steps) {
  const pi = 3.14159265358979323;
  const mass = 4 * pi * pi;
  const days = 365.24;
  const bodies = [
    [0, 0, 0, 0, 0, 0, mass],
    [4.8414314424647209, -1.16032004402742839, -1.03622044471123109e-1,
      1.66007664274403694e-3 * days, 7.69901118419740425e-3 * days,
      -6.90460016972063023e-5 * days, 9.54791938424326609e-4 * mass],
    [8.34336671824457987, 4.12479856412430479, -4.03523417114321381e-1,
      -2.76742510726862411e-3 * days, 4.99852801234917238e-3 * days,
      2.30417297573763929e-5 * days, 2.85885980666130812e-4 * mass],
    [1.2894369562139131e1, -1.51111514016986312e1, -2.23307578892655734e-1,
      2.96460137564761618e-3 * days, 2.3784717395948095e-3 * days,
      -2.96589568540237556e-5 * days, 4.36624404335156298e-5 * mass],
    [1.53796971148509165e1, -2.59193146099879641e1, 1.79258772950371181e-1,
      2.68067772490389322e-3 * days, 1.62824170038242295e-3 * days,
      -9.5159225451971587e-5 * days, 5.15138902046611451e-5 * mass],
  ];
  const pairs = [];
  for (let i = 0; i < 5; i++) for (let j = i + 1; j < 5; j++) pairs.push([bodies[i], bodies[j]]);
  const dt = 0.01;
  for (let s = 0; s < steps; s++) {
    for (const [a, b] of pairs) {
      const dx = a[0] - b[0], dy = a[1] - b[1], dz = a[2] - b[2];
      const d2 = dx * dx + dy * dy + dz * dz;
      const mag = dt / (d2 * Math.sqrt(d2));
      const bm = b[6] * mag, am = a[6] * mag;
      a[3] -= dx * bm; a[4] -= dy * bm; a[5] -= dz * bm;
      b[3] += dx * am; b[4] += dy * am; b[5] += dz * am;
    }
    for (const p of bodies) {
      p[0] += dt * p[3]; p[1] += dt * p[4]; p[2] += dt * p[5];
    }
  }
  let e = 0;
  for (const [a, b] of pairs) {
    const dx = a[0] - b[0], dy = a[1] - b[1], dz = a[2] - b[2];
    e -= (a[6] * b[6]) / Math.sqrt(dx * dx + dy * dy + dz * dz);
  }
  for (const p of bodies) e += 0.5 * p[6] * (p[3] * p[3] + p[4] * p[4] + p[5] * p[5]);
  return e.toFixed(9);
}

const TEXT = ('the quick brown fox jumps over the lazy dog while a wizard quickly ' +
  'jinxed the gnomes before they vaporized and five boxing wizards jump ').repeat(20);

function crc32(s) {
  let c = ~0;
  for (const b of new TextEncoder().encode(s)) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}

function words(rounds) {
  let check = 0;
  for (let r = 0; r < rounds; r++) {
    const counts = new Map();
    for (const w of (TEXT + r).split(/\s+/)) {
      if (w) counts.set(w, (counts.get(w) || 0) + 1);
    }
    const top = [...counts].sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0));
    check = (check * 31 + crc32(top.slice(0, 5).map((kv) => kv[0]).join(' '))) % 1000000007;
    check = (check + top.length) % 1000000007;
  }
  return check;
}

export const run = {
  run() {
    const [, kernel, arg] = getArguments();
    const n = Number(arg);
    if (kernel === 'fib') console.log(String(fib(n)));
    else if (kernel === 'nbody') console.log(nbody(n));
    else if (kernel === 'words') console.log(String(words(n)));
    else if (kernel === 'noop') console.log(String(n));
    else throw new Error(`unknown kernel ${kernel}`);
  },
};
