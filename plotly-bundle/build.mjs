// Builds assets/plotly/plotly-ntm.min.js: plotly.js with only the trace types NTM Atlas draws
// (traces.json), from plotly.js's npm package (version pinned in package-lock.json), and its
// gzip and brotli copies, which the app serves as they are (no compression per request).
// Beside it, regenerator-runtime.js sets window.regeneratorRuntime (regenerator-runtime), the
// one part of Babel's 97 kB polyfill that Dash's renderer and dcc call (once a lazy component
// loaded); Dash adds it to the page as one of the app's assets. The rest of that polyfill is
// built into every browser the dashboard supports, so dashboard/plotly_bundle.py leaves Dash's
// polyfill script out of the page.
//
//     cd plotly-bundle && npm ci && npm run build
//
// The output is byte-for-byte the same for the same package-lock.json (no timestamps, no
// absolute paths: the same bytes in any checkout).
import { build } from 'esbuild';
import { environmentPlugin } from 'esbuild-plugin-environment';
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const traces = JSON.parse(readFileSync(join(here, 'traces.json'), 'utf8'));
const version = require('plotly.js/package.json').version;
const out = join(here, '..', 'assets', 'plotly');
const file = join(out, 'plotly-ntm.min.js');

// plotly.js components no figure of the app uses (3D annotations, layout images, buttons,
// sliders, range sliders and selectors, error bars): plotly.js's core registers them all, and
// asks its registry for a component by name (nothing happens without it). Left out here, ~22 kB
// brotli; tests/browser/test_plotly_bundle.py checks every figure of the page against the
// bundle's schema (Plotly.validate), so a figure that starts to use one fails there.
const unusedComponents = [
    'annotations3d',
    'images',
    'updatemenus',
    'sliders',
    'rangeslider',
    'rangeselector',
    'errorbars',
];
const core = {
    name: 'core-without-unused-components',
    setup(b) {
        b.onLoad({ filter: /plotly\.js[\/\\]src[\/\\]core\.js$/ }, (args) => {
            let text = readFileSync(args.path, 'utf8');
            for (const name of unusedComponents) {
                const line = new RegExp(`\\n\\s*require\\('\\./components/${name}'\\),?`);
                if (!line.test(text)) throw new Error(`plotly.js core: no component ${name}`);
                text = text.replace(line, '');
            }
            return { contents: text, loader: 'js', resolveDir: dirname(args.path) };
        });
    },
};
// country-iso-search (66 kB of country names) serves locationmode "country names" / "ISO-3",
// which only the geo and choropleth traces have; the map subplot imports it with the rest of
// plotly.js's geo helpers. An empty list in its place.
const noCountryNames = {
    name: 'no-country-names',
    setup(b) {
        b.onResolve({ filter: /^country-iso-search$/ }, () => ({ path: 'countries', namespace: 'ntm' }));
        b.onLoad({ filter: /.*/, namespace: 'ntm' }, () => ({
            contents:
                'exports.COUNTRIES = [];' +
                'exports.createLookup = function () { return { lookupAlpha3: function () {} }; };',
            loader: 'js',
        }));
    },
};

const entry = [
    "'use strict';",
    "var Plotly = require('plotly.js/lib/core');",
    'Plotly.register([',
    ...traces.filter((t) => t !== 'scatter').map((t) => `    require('plotly.js/lib/${t}'),`),
    ']);',
    'module.exports = Plotly;',
].join('\n');

// A CSS file the bundle imports (MapLibre's) becomes a script that adds it as a <style> once;
// its element id hashes the file's path inside this folder (not the checkout's).
const inlineCSS = {
    name: 'inline-css',
    setup(b) {
        b.onLoad({ filter: /\.css$/ }, (args) => {
            const css = readFileSync(args.path, 'utf8');
            const id = createHash('sha256')
                .update(relative(here, args.path).split(sep).join('/'))
                .digest('hex');
            const contents =
                `if(!document.getElementById(${JSON.stringify(id)})){` +
                `var e=document.createElement('style');e.id=${JSON.stringify(id)};` +
                `e.textContent=${JSON.stringify(css)};document.head.appendChild(e);}`;
            return { contents, loader: 'js' };
        });
    },
};

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
    plugins: [inlineCSS, core, noCountryNames, environmentPlugin({ NODE_DEBUG: false })],
    alias: { stream: 'stream-browserify' },
    define: { global: 'window', 'define.amd': 'false' },
    target: 'es2016',
    logLevel: 'info',
});

// regenerator-runtime on its own (Dash runs it with the page's other assets, before the renderer).
const regenerator = await build({
    stdin: {
        contents: "window.regeneratorRuntime = require('regenerator-runtime');",
        resolveDir: here,
        sourcefile: 'ntm-atlas-regenerator.js',
    },
    outfile: join(out, 'regenerator-runtime.js'),
    format: 'iife',
    bundle: true,
    minify: true,
    legalComments: 'none',
    banner: {
        js:
            `/*! regenerator-runtime ${require('regenerator-runtime/package.json').version}` +
            ' (MIT, see THIRD_PARTY_LICENSES.txt); built by plotly-bundle/build.mjs */',
    },
    target: 'es2016',
    logLevel: 'info',
});

// MapLibre GL JS on its own (the map is assets/map.js's MapLibre map, not a Plotly subplot):
// maplibre-gl's ES module and its stylesheet as one classic script that sets window.maplibregl,
// with its web worker from the worker source plotly.js's package prebuilds for the same
// maplibre-gl version (tasks/util/bundle_maplibre_worker.js there), run from a blob: URL.
const mapOut = join(here, '..', 'assets', 'maplibre');
const mapFile = join(mapOut, 'maplibre-ntm.min.js');
const mapVersion = require('maplibre-gl/package.json').version;
mkdirSync(mapOut, { recursive: true });
await build({
    stdin: {
        contents: [
            "'use strict';",
            "var maplibregl = require('maplibre-gl/dist/maplibre-gl.mjs');",
            "require('maplibre-gl/dist/maplibre-gl.css');",
            "var worker = require('plotly.js/build/maplibre_worker');",
            "maplibregl.setWorkerUrl(URL.createObjectURL(new Blob([worker], { type: 'text/javascript' })));",
            'module.exports = maplibregl;',
        ].join('\n'),
        resolveDir: here,
        sourcefile: 'ntm-atlas-maplibre.js',
    },
    outfile: mapFile,
    format: 'iife',
    globalName: 'maplibregl',
    bundle: true,
    minify: true,
    legalComments: 'external',
    banner: {
        js:
            `/*! MapLibre GL JS v${mapVersion} (BSD-3-Clause, see LICENSE.txt beside this file),` +
            ' for NTM Atlas; built by plotly-bundle/build.mjs */',
    },
    plugins: [inlineCSS],
    target: 'es2016',
    logLevel: 'info',
});
copyFileSync(join(here, 'node_modules', 'maplibre-gl', 'LICENSE.txt'), join(mapOut, 'LICENSE.txt'));

// The gzip and brotli copies the app serves as they are.
function compressed(path) {
    const js = readFileSync(path);
    writeFileSync(path + '.gz', zlib.gzipSync(js, { level: 9 }));
    writeFileSync(
        path + '.br',
        zlib.brotliCompressSync(js, {
            params: {
                [zlib.constants.BROTLI_PARAM_QUALITY]: 11,
                [zlib.constants.BROTLI_PARAM_SIZE_HINT]: js.length,
            },
        }),
    );
    return js;
}
compressed(mapFile);
const js = compressed(file);
copyFileSync(require.resolve('plotly.js/LICENSE'), join(out, 'LICENSE'));

// Every npm package with code in the bundle: name, version, licence and its licence text.
const packages = new Set(['node_modules/regenerator-runtime/']);
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
    JSON.stringify({ 'plotly.js': version, traces, components_left_out: unusedComponents }, null, 1) +
        '\n',
);
console.log(`${file}: ${js.length} bytes, traces ${traces.join(', ')}`);
