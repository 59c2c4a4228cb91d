// Builds the folder that `teamsapp deploy` zips and uploads to App Service: the compiled bot, the files it
// reads at run time, and production dependencies only. Zipping the working tree would also ship the dev
// tooling (jest, azurite, playwright...), several hundred megabytes the bot never loads.
//   npm run build && node scripts/stage-deploy.js   -> .deploy/
const fs = require('node:fs');
const path = require('node:path');
const { execFileSync } = require('node:child_process');

const root = path.resolve(__dirname, '..');
const target = path.join(root, '.deploy');

// What the running bot reads, relative to the project root (see src/config.ts defaults and scripts/copy-assets.js).
const runtimeEntries = [
  'dist',
  'prompts',
  'policies',
  'config',
  'data',
  'package.json',
  'package-lock.json',
  '.npmrc',
];

if (!fs.existsSync(path.join(root, 'dist', 'src', 'index.js'))) {
  console.error('dist/src/index.js is missing: run `npm run build` first.');
  process.exit(1);
}

fs.rmSync(target, { recursive: true, force: true });
fs.mkdirSync(target, { recursive: true });
for (const entry of runtimeEntries) {
  const source = path.join(root, entry);
  if (fs.existsSync(source)) fs.cpSync(source, path.join(target, entry), { recursive: true });
}

// Install scripts are skipped: no production dependency needs one, and botbuilder-dialogs' postinstall
// (`npx rimraf`) fails without a terminal.
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
execFileSync(npm, ['ci', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund'], {
  cwd: target,
  stdio: 'inherit',
  shell: process.platform === 'win32',
});
console.log(`staged ${path.relative(root, target)}/ for App Service`);
