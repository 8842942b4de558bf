// Builds assets/plotly/plotly-ntm.min.js: plotly.js with only the trace types NTM Atlas draws
// (traces.json), from plotly.js's npm package (version pinned in package-lock.json), and its
// gzip and brotli copies, which the app serves as they are (no compression per request).
//
//     cd plotly-bundle && npm ci && npm run build
//
// The output is byte-for-byte the same for the same package-lock.json (no timestamps).
import { build } from 'esbuild';
import { environmentPlugin } from 'esbuild-plugin-environment';
import InlineCSSPlugin from 'esbuild-plugin-inline-css';
import { createRequire } from 'node:module';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const traces = JSON.parse(readFileSync(join(here, 'traces.json'), 'utf8'));
const version = require('plotly.js/package.json').version;
const out = join(here, '..', 'assets', 'plotly');
const file = join(out, 'plotly-ntm.min.js');

const entry = [
    "'use strict';",
    "var Plotly = require('plotly.js/lib/core');",
    'Plotly.register([',
    ...traces.filter((t) => t !== 'scatter').map((t) => `    require('plotly.js/lib/${t}'),`),
    ']);',
    'module.exports = Plotly;',
].join('\n');

mkdirSync(out, { recursive: true });
const result = await build({
    metafile: true,
    stdin: { contents: entry, resolveDir: here, sourcefile: 'ntm-atlas-plotly.js' },
    outfile: file,
    format: 'iife',
    globalName: 'Plotly',
    bundle: true,
    minify: true,
    legalComments: 'external', // the bundled packages' licence comments, beside the file
    banner: {
        js:
            `/*! plotly.js v${version} (MIT, see LICENSE beside this file), custom bundle for` +
            ` NTM Atlas: traces ${traces.join(',')}; built by plotly-bundle/build.mjs */`,
    },
    plugins: [InlineCSSPlugin(), environmentPlugin({ NODE_DEBUG: false })],
    alias: { stream: 'stream-browserify' },
    define: { global: 'window', 'define.amd': 'false' },
    target: 'es2016',
    logLevel: 'info',
});

const js = readFileSync(file);
writeFileSync(file + '.gz', zlib.gzipSync(js, { level: 9 }));
writeFileSync(
    file + '.br',
    zlib.brotliCompressSync(js, {
        params: {
            [zlib.constants.BROTLI_PARAM_QUALITY]: 11,
            [zlib.constants.BROTLI_PARAM_SIZE_HINT]: js.length,
        },
    }),
);
copyFileSync(require.resolve('plotly.js/LICENSE'), join(out, 'LICENSE'));

// Every npm package with code in the bundle: name, version, licence and its licence text.
const packages = new Set();
const [, output] = Object.entries(result.metafile.outputs).find(([k]) => k.endsWith('.js'));
for (const input of Object.keys(output.inputs)) {
    const m = input.match(/^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//);
    if (m) packages.add(m[1]);
}
const notices = [...packages].sort().map((dir) => {
    const pkg = JSON.parse(readFileSync(join(here, dir, 'package.json'), 'utf8'));
    const file = readdirSync(join(here, dir)).find((f) => /^(licen[cs]e|copying)/i.test(f));
    const text = file && existsSync(join(here, dir, file))
        ? readFileSync(join(here, dir, file), 'utf8').trim()
        : '(no licence file in the package)';
    return `${pkg.name} ${pkg.version} — ${pkg.license || 'see below'}\n\n${text}\n`;
});
writeFileSync(
    join(out, 'THIRD_PARTY_LICENSES.txt'),
    `Packages bundled into plotly-ntm.min.js (${notices.length}):\n\n` +
        notices.join('\n' + '-'.repeat(72) + '\n\n'),
);
writeFileSync(
    join(out, 'traces.json'),
    JSON.stringify({ 'plotly.js': version, traces }, null, 1) + '\n',
);
console.log(`${file}: ${js.length} bytes, traces ${traces.join(', ')}`);
