// Draws the Teams app icons (a shield with a tick) so they can be regenerated instead of hand-edited:
//   node scripts/make-icons.js [output folder, default appPackage]
// color.png: 192x192, full-bleed accent background. outline.png: 32x32, white on fully transparent,
// as Teams requires for the app bar. Shapes are defined in unit coordinates and supersampled for smooth edges.
const fs = require('node:fs');
const path = require('node:path');
const { PNG } = require('pngjs');

const accent = { r: 0x1f, g: 0x5c, b: 0x99 };
const white = { r: 255, g: 255, b: 255 };
const supersampling = 6;

function insideShield(u, v) {
  const top = 0.12;
  const shoulder = 0.5;
  const bottom = 0.9;
  const halfWidth = 0.33;
  if (v < top || v > bottom) return false;
  const dx = Math.abs(u - 0.5);
  // Rounded top corners.
  const cornerRadius = 0.06;
  if (v < top + cornerRadius && dx > halfWidth - cornerRadius) {
    const cx = halfWidth - cornerRadius;
    const cy = top + cornerRadius;
    return (dx - cx) ** 2 + (v - cy) ** 2 <= cornerRadius ** 2;
  }
  if (v <= shoulder) return dx <= halfWidth;
  // Below the shoulder the sides curve in to a point.
  const t = (v - shoulder) / (bottom - shoulder);
  return dx <= halfWidth * Math.pow(Math.cos((t * Math.PI) / 2), 0.75);
}

function distanceToSegment(u, v, [ax, ay], [bx, by]) {
  const abx = bx - ax;
  const aby = by - ay;
  const t = Math.max(0, Math.min(1, ((u - ax) * abx + (v - ay) * aby) / (abx * abx + aby * aby)));
  return Math.hypot(u - (ax + t * abx), v - (ay + t * aby));
}

const tick = [
  [0.36, 0.49],
  [0.46, 0.6],
  [0.65, 0.37],
];

function onTick(u, v, halfThickness) {
  return (
    distanceToSegment(u, v, tick[0], tick[1]) <= halfThickness ||
    distanceToSegment(u, v, tick[1], tick[2]) <= halfThickness
  );
}

function onShieldBorder(u, v, width) {
  if (!insideShield(u, v)) return false;
  for (let step = 0; step < 16; step += 1) {
    const angle = (step / 16) * 2 * Math.PI;
    if (!insideShield(u + width * Math.cos(angle), v + width * Math.sin(angle))) return true;
  }
  return false;
}

/** paint(u, v) returns an {r,g,b} colour or null for transparent; coverage is averaged per pixel. */
function render(size, paint) {
  const png = new PNG({ width: size, height: size });
  for (let y = 0; y < size; y += 1) {
    for (let x = 0; x < size; x += 1) {
      let r = 0;
      let g = 0;
      let b = 0;
      let covered = 0;
      for (let sy = 0; sy < supersampling; sy += 1) {
        for (let sx = 0; sx < supersampling; sx += 1) {
          const colour = paint(
            (x + (sx + 0.5) / supersampling) / size,
            (y + (sy + 0.5) / supersampling) / size,
          );
          if (colour) {
            r += colour.r;
            g += colour.g;
            b += colour.b;
            covered += 1;
          }
        }
      }
      const index = (size * y + x) * 4;
      const samples = supersampling * supersampling;
      png.data[index] = covered ? Math.round(r / covered) : 0;
      png.data[index + 1] = covered ? Math.round(g / covered) : 0;
      png.data[index + 2] = covered ? Math.round(b / covered) : 0;
      png.data[index + 3] = Math.round((covered / samples) * 255);
    }
  }
  return PNG.sync.write(png);
}

const colorIcon = render(192, (u, v) => {
  if (insideShield(u, v)) return onTick(u, v, 0.045) ? accent : white;
  return accent;
});

// Outline: white only, so the pixel colour is always white and only alpha varies.
const outlineIcon = render(32, (u, v) => (onShieldBorder(u, v, 0.075) || onTick(u, v, 0.045) ? white : null));

const folder = path.resolve(process.argv[2] ?? path.join(__dirname, '..', 'appPackage'));
fs.mkdirSync(folder, { recursive: true });
fs.writeFileSync(path.join(folder, 'color.png'), colorIcon);
fs.writeFileSync(path.join(folder, 'outline.png'), outlineIcon);
console.log(`wrote ${path.join(folder, 'color.png')} and outline.png`);
