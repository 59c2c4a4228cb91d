// Runs the TypeScript sources in a child process (`node -r ./test/support/cached-ts-register.js src/index.ts`)
// the way ts-node's transpile-only mode does, but keeps each transpiled file on disk keyed by its
// content, so a bot process that tests start (and kill, and start again) loads in seconds, not tens.
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const compilerOptions = {
  module: 1, // CommonJS, what tsconfig's node16 produces for this (non-ESM) package
  target: 9, // ES2022
  esModuleInterop: true,
  resolveJsonModule: true,
  inlineSourceMap: true,
};
const cacheFolder = path.join(os.tmpdir(), 'policy-bot-ts-cache');
fs.mkdirSync(cacheFolder, { recursive: true });
let typescript;

require.extensions['.ts'] = (module, filename) => {
  const source = fs.readFileSync(filename, 'utf8');
  const key = crypto.createHash('sha256').update(filename).update('\0').update(source).digest('hex');
  const cached = path.join(cacheFolder, `${key}.js`);
  let output;
  try {
    output = fs.readFileSync(cached, 'utf8');
  } catch {
    typescript ??= require('typescript');
    output = typescript.transpileModule(source, { fileName: filename, compilerOptions }).outputText;
    // Write then rename, so a process killed mid-write never leaves half a file behind.
    const partial = `${cached}.${process.pid}.tmp`;
    fs.writeFileSync(partial, output);
    fs.renameSync(partial, cached);
  }
  module._compile(output, filename);
};
