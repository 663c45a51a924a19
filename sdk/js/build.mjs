// Builds the SDK as an ES module (dist/bellwether.mjs) and a script defining the global Bellwether
// (dist/bellwether.js), and its Workbox adapter, for service workers only, likewise (dist/bellwether-workbox.mjs, and
// dist/bellwether-workbox.js adding Bellwether.workboxSync); prints their minified and gzipped sizes.
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

const common = { bundle: true, minify: true, target: 'es2020', legalComments: 'none' };
await build({ ...common, entryPoints: ['src/index.js'], format: 'esm', outfile: 'dist/bellwether.mjs' });
await build({ ...common, entryPoints: ['src/script.js'], format: 'iife', outfile: 'dist/bellwether.js' });
await build({ ...common, entryPoints: ['src/workbox.js'], format: 'esm', outfile: 'dist/bellwether-workbox.mjs' });
await build({ ...common, entryPoints: ['src/workbox-script.js'], format: 'iife', outfile: 'dist/bellwether-workbox.js' });
for (const file of ['dist/bellwether.mjs', 'dist/bellwether.js', 'dist/bellwether-workbox.mjs', 'dist/bellwether-workbox.js']) {
  const bytes = readFileSync(file);
  console.log(`${file}: ${bytes.length} bytes minified, ${gzipSync(bytes, { level: 9 }).length} gzipped`);
}
