import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PNG } from 'pngjs';

const repoRoot = path.resolve(__dirname, '..', '..');
const appPackage = path.join(repoRoot, 'appPackage');

function readPng(name: string): PNG {
  return PNG.sync.read(fs.readFileSync(path.join(appPackage, name)));
}

describe('Teams app icons', () => {
  const color = readPng('color.png');
  const outline = readPng('outline.png');

  it('has a 192x192 colour icon and a 32x32 outline icon', () => {
    expect([color.width, color.height]).toEqual([192, 192]);
    expect([outline.width, outline.height]).toEqual([32, 32]);
  });

  it('draws the outline in white only, on a fully transparent background', () => {
    const offending: string[] = [];
    let visible = 0;
    let transparent = 0;
    for (let index = 0; index < outline.data.length; index += 4) {
      const [red, green, blue, alpha] = outline.data.subarray(index, index + 4);
      if (alpha === 0) {
        transparent += 1;
      } else {
        visible += 1;
        if (red !== 255 || green !== 255 || blue !== 255) {
          offending.push(`pixel ${index / 4}: rgba(${red}, ${green}, ${blue}, ${alpha})`);
        }
      }
    }
    expect(offending).toEqual([]);
    // A glyph, not an empty or a filled square.
    expect(visible).toBeGreaterThan(50);
    expect(transparent).toBeGreaterThan(32 * 32 * 0.4);
  });

  it('are exactly what scripts/make-icons.js draws, so they can be regenerated', () => {
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'icons-'));
    try {
      execFileSync(process.execPath, [path.join(repoRoot, 'scripts', 'make-icons.js'), folder]);
      for (const name of ['color.png', 'outline.png']) {
        expect(
          fs.readFileSync(path.join(folder, name)).equals(fs.readFileSync(path.join(appPackage, name))),
        ).toBe(true);
      }
    } finally {
      fs.rmSync(folder, { recursive: true, force: true });
    }
  });
});
