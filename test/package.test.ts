import { execFileSync } from 'child_process';
import { existsSync, readFileSync } from 'fs';
import { builtinModules } from 'module';
import { join } from 'path';

import { PACKAGE_ROOT } from './harness/package';

const manifest = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8'));

describe('package', () => {
	test('is a community node package without runtime dependencies', () => {
		expect(manifest.name).toBe('n8n-nodes-segment-export');
		expect(manifest.keywords).toContain('n8n-community-node-package');
		expect(manifest.license).toBe('MIT');
		expect(manifest.dependencies ?? {}).toEqual({});
		expect(manifest.peerDependencies).toEqual({ 'n8n-workflow': '*' });
		for (const file of [...manifest.n8n.nodes, ...manifest.n8n.credentials]) {
			expect(file).toMatch(/^dist\//);
			expect(existsSync(join(PACKAGE_ROOT, file))).toBe(true);
		}
	});

	test('node code imports only n8n-workflow, crypto, its own files and libraries bundled at build', () => {
		// Bundled by scripts/bundle.js: devDependencies, so the package keeps no runtime dependencies.
		const bundled = ['libphonenumber-js', 'i18n-iso-countries', 'csv-parse'];
		const files = execFileSync('git', ['ls-files', 'nodes', 'credentials'], { cwd: PACKAGE_ROOT, encoding: 'utf8' }).split('\n').filter((f) => f.endsWith('.ts'));
		for (const file of files) {
			const source = readFileSync(join(PACKAGE_ROOT, file), 'utf8');
			for (const [, module] of source.matchAll(/from '([^']+)'/g)) {
				const library = bundled.find((name) => module === name || module.startsWith(`${name}/`));
				expect([file, module.startsWith('.') || ['n8n-workflow', 'crypto'].includes(module) || (library !== undefined && library in manifest.devDependencies)]).toEqual([file, true]);
			}
		}
	});

	test('each node and credential file is self-contained: it requires only n8n-workflow and Node built-ins', () => {
		for (const file of [...manifest.n8n.nodes, ...manifest.n8n.credentials]) {
			const code = readFileSync(join(PACKAGE_ROOT, file), 'utf8');
			const required = [...code.matchAll(/\brequire\("([^"]+)"\)/g)].map((match) => match[1]);
			expect([file, required.filter((module) => module !== 'n8n-workflow' && !builtinModules.includes(module.replace(/^node:/, '')))]).toEqual([file, []]);
		}
	});

	test('the tarball holds dist/, README and LICENSE, and nothing from test/', () => {
		const [pack] = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: PACKAGE_ROOT, encoding: 'utf8' }));
		const paths: string[] = pack.files.map((file: { path: string }) => file.path);
		expect(paths).toEqual(expect.arrayContaining(['README.md', 'LICENSE', 'package.json', 'dist/THIRD_PARTY_NOTICES.md', ...manifest.n8n.nodes, ...manifest.n8n.credentials]));
		expect(paths.filter((path) => !path.startsWith('dist/') && !['README.md', 'LICENSE', 'package.json', 'index.js'].includes(path))).toEqual([]);
		expect(paths.some((path) => path.includes('test') || path.includes('sandbox'))).toBe(false);
		expect(paths.filter((path) => path.endsWith('.svg')).length).toBeGreaterThanOrEqual(4);
	});
});
