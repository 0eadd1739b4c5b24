// Bundles charts.js with the ECharts modules it imports into one minified file (the path given as the argument),
// and map.js with Leaflet (map.js and map.css beside it), each plus its Brotli and gzip twins, which the service sends to browsers that accept them. Run by the project
// build (CareRegistry.Api.csproj) after `npm ci`; the service serves both from its assembly (Console/ConsoleAssets.cs).
import { build } from 'esbuild';
import { readFileSync, writeFileSync } from 'node:fs';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const out = process.argv[2] ?? '../../wwwroot/console/charts.js';
for (const name of ['charts', 'map']) {
await build({
  entryPoints: [name + '.js'],
  bundle: true,
  minify: true,
  format: 'iife',
  target: ['es2017'],
  legalComments: 'none',
  outfile: out.replace(/charts\.js$/, name + '.js'),
  // Leaflet's stylesheet names its few images; they travel inside map.css.
  loader: { '.png': 'dataurl', '.svg': 'dataurl' },
  logLevel: 'warning',
});
}
for (const file of [out, out.replace(/charts\.js$/, 'map.js'), out.replace(/charts\.js$/, 'map.css')]) {
const raw = readFileSync(file);
const compressed = brotliCompressSync(raw, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: raw.length } });
writeFileSync(file + '.br', compressed);
// Browsers offer Brotli only over HTTPS; over plain HTTP (a service on an office network) they get gzip.
const gzipped = gzipSync(raw, { level: 9 });
writeFileSync(file + '.gz', gzipped);
// The page budget (300 KB of JavaScript) is held on what a browser receives: ECharts' core alone is about 390 KB
// before compression, so the uncompressed bundle cannot meet it.
const limit = 300 * 1024;
console.log(`console bundle: ${raw.length} bytes; as sent ${compressed.length} (Brotli), ${gzipped.length} (gzip) (${file})`);
if (gzipped.length > limit) {
  console.error(`${file} is ${gzipped.length} bytes as sent (gzip), over the ${limit}-byte budget of a console page`);
  process.exit(1);
}
}
