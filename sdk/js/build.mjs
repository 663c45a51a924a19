// Builds dist/bellwether.mjs (ES module) and dist/bellwether.js (script tag: the global Bellwether), and prints
// their minified and gzipped sizes.
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

const common = { entryPoints: ['src/index.js'], bundle: true, minify: true, target: 'es2020', legalComments: 'none' };
await build({ ...common, format: 'esm', outfile: 'dist/bellwether.mjs' });
await build({ ...common, format: 'iife', globalName: 'Bellwether', outfile: 'dist/bellwether.js' });
for (const file of ['dist/bellwether.mjs', 'dist/bellwether.js']) {
  const bytes = readFileSync(file);
  console.log(`${file}: ${bytes.length} bytes minified, ${gzipSync(bytes, { level: 9 }).length} gzipped`);
}
