// A library component in JavaScript (componentize-js) whose world defines
// its own types: a record, a variant, an enum and flags, used by its
// exports.
export function area(s) {
  switch (s.tag) {
    case 'circle':
      return Math.PI * s.val * s.val;
    case 'rect':
      return Math.abs(s.val.x * s.val.y);
    default:
      return 0;
  }
}

export function mirror(p) {
  return { x: -p.x, y: -p.y, label: [...p.label].reverse().join('') };
}

const colors = ['red', 'green', 'blue'];

export function nextColor(c) {
  return colors[(colors.indexOf(c) + 1) % 3];
}

export function grant(p) {
  return { ...p, read: true };
}

export function describe(items) {
  if (items.length === 0) throw 'no items';
  return items.map(([k, v]) => `${k}=${v === undefined ? 'none' : v}`).join(', ');
}
