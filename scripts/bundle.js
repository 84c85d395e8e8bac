// Runs after `tsc -p tsconfig.build.json` (which emits dist/ and the type declarations): each node and
// credential entry named in package.json is rebuilt as one self-contained CommonJS file with its
// libraries inside, n8n-workflow left to n8n. The package keeps zero runtime dependencies, as n8n's
// community lint asks. Modules now inside a bundle are removed from dist/; their .d.ts stay.
const { buildSync } = require('esbuild');
const { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } = require('fs');
const { dirname, join, relative } = require('path');

const root = join(__dirname, '..');
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const entries = [...manifest.n8n.nodes, ...manifest.n8n.credentials];
const bundled = new Map();

for (const entry of entries) {
	const source = join(root, entry.replace(/^dist\//, '').replace(/\.js$/, '.ts'));
	const result = buildSync({
		absWorkingDir: root,
		entryPoints: [source],
		outfile: join(root, entry),
		allowOverwrite: true,
		bundle: true,
		platform: 'node',
		target: 'node20',
		format: 'cjs',
		external: ['n8n-workflow'],
		// n8n finds a node's class by its exported name; keep names readable in stack traces too.
		keepNames: true,
		legalComments: 'eof',
		metafile: true,
		logLevel: 'warning',
	});
	for (const input of Object.keys(result.metafile.inputs)) {
		// The innermost node_modules folder names the package (nested copies included).
		const packages = [...input.matchAll(/node_modules[\\/]((?:@[^\\/]+[\\/])?[^\\/]+)/g)];
		if (!packages.length) continue;
		const name = packages[packages.length - 1][1].split(/[\\/]/).join('/');
		const folder = input.slice(0, packages[packages.length - 1].index) + 'node_modules/' + name;
		if (!bundled.has(name)) bundled.set(name, { folder: join(root, folder), entries: new Set() });
		bundled.get(name).entries.add(entry);
	}
}

// Compiled modules that every entry now holds inside itself.
const keep = new Set(entries.map((entry) => join(root, entry)));
(function prune(folder) {
	for (const name of readdirSync(folder)) {
		const path = join(folder, name);
		if (statSync(path).isDirectory()) prune(path);
		else if (name.endsWith('.js') && !keep.has(path)) rmSync(path);
	}
})(join(root, 'dist'));

// The licences of what is bundled travel with the code (MIT asks for its notice in copies).
const notices = ['Third-party code bundled into the files of dist/ (see README, "Bundled libraries").', ''];
for (const name of [...bundled.keys()].sort()) {
	const { folder, entries: into } = bundled.get(name);
	const pkg = JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8'));
	const licenceFile = readdirSync(folder).find((file) => /^licen[cs]e(\.md|\.txt)?$/i.test(file));
	notices.push(`## ${name} ${pkg.version} (${pkg.license})`, '', `In: ${[...into].map((entry) => relative('dist', entry)).join(', ')}`, '');
	notices.push(licenceFile ? readFileSync(join(folder, licenceFile), 'utf8').trim() : `Licence: ${pkg.license}`, '');
}
writeFileSync(join(root, 'dist', 'THIRD_PARTY_NOTICES.md'), notices.join('\n'));
if (!existsSync(dirname(join(root, entries[0])))) throw new Error('bundle: dist/ is missing');
