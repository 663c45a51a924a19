// Rollup rather than esbuild: esbuild keeps every scale class Chart.js defines (a class that extends another counts as
// a side effect to it), rollup drops those the console does not register. Licence comments are kept.
import { nodeResolve } from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';

export default {
  input: 'src/chart.js',
  output: { file: 'dist/chart.js', format: 'iife' },
  plugins: [nodeResolve(), terser({ compress: { passes: 2 } })],
};
