// tsc compiles only TypeScript; the prompts the Azure answerer reads at run time must sit beside the build.
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
for (const folder of ['prompts']) {
  const source = path.join(root, folder);
  if (fs.existsSync(source)) fs.cpSync(source, path.join(root, 'dist', folder), { recursive: true });
}
