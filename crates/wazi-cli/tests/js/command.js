// A `wasi:cli/command` in JavaScript (componentize-js, StarlingMonkey):
// `command.wasm MODE [URL]`.
//
// - `tour`: language and runtime work whose output is the same everywhere.
// - `fetch URL`: a POST with a 100,000-byte body through `fetch`, then the
//   response's status, headers and body.
// - `fail URL`: a `fetch` that fails, caught.
import { getArguments, getEnvironment } from 'wasi:cli/environment@0.2.12';

function tour() {
  console.log('args', JSON.stringify(getArguments()));
  console.log('env', JSON.stringify(getEnvironment().sort()));
  console.log('json', JSON.stringify({ b: [1, 2.5, null, true], a: 'é' }));
  let sum = 0n;
  for (let i = 0n; i < 200000n; i++) sum += i * i;
  console.log('sum of squares', sum.toString());
  console.log('2**200', (2n ** 200n).toString());
  const pairs = [...'a=1, bb=22, ccc=333'.matchAll(/(\w+)=(\d+)/g)].map((m) => [m[1], m[2]]);
  console.log('regex', JSON.stringify(pairs));
  const words = 'the quick brown fox jumps over the lazy dog'.split(' ');
  words.sort((x, y) => x.length - y.length || (x < y ? -1 : x > y ? 1 : 0));
  console.log('sorted', JSON.stringify(words));
  console.log('date', new Date(Date.UTC(2026, 11, 3)).toISOString());
  console.log('map', JSON.stringify([...new Map([[1, 'one'], [2, 'two']])]));
  console.log('utf8', Array.from(new TextEncoder().encode('wazi ✓')).join(','));
  const bytes = new Uint8Array(1 << 20).map((_, i) => i % 251);
  console.log('typed array', bytes.reduce((a, b) => (a * 31 + b) >>> 0, 0));
  try {
    null.field;
  } catch (e) {
    console.log('caught', e.constructor.name);
  }
}

async function post(url) {
  const body = new Uint8Array(100000).map((_, i) => i % 251);
  const r = await fetch(url, { method: 'POST', body, headers: { 'x-test': 'js' } });
  console.log('status', r.status);
  console.log('content-type', r.headers.get('content-type'));
  console.log(await r.text());
}

export const run = {
  async run() {
    const [, mode, url] = getArguments();
    if (mode === 'tour') {
      tour();
    } else if (mode === 'fetch') {
      await post(url);
    } else if (mode === 'fail') {
      try {
        await fetch(url);
      } catch (e) {
        console.log('caught', String(e));
      }
    }
  },
};
