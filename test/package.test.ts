import { execFileSync } from 'child_process';
import { existsSync, readFileSync } from 'fs';
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

	test('node code imports only n8n-workflow, node:crypto and its own files', () => {
		const files = execFileSync('git', ['ls-files', 'nodes', 'credentials'], { cwd: PACKAGE_ROOT, encoding: 'utf8' }).split('\n').filter((f) => f.endsWith('.ts'));
		for (const file of files) {
			const source = readFileSync(join(PACKAGE_ROOT, file), 'utf8');
			for (const [, module] of source.matchAll(/from '([^']+)'/g)) {
				expect([file, module.startsWith('.') || ['n8n-workflow', 'crypto'].includes(module)]).toEqual([file, true]);
			}
		}
	});

	test('the tarball holds dist/, README and LICENSE, and nothing from test/', () => {
		const [pack] = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: PACKAGE_ROOT, encoding: 'utf8' }));
		const paths: string[] = pack.files.map((file: { path: string }) => file.path);
		expect(paths).toEqual(expect.arrayContaining(['README.md', 'LICENSE', 'package.json', ...manifest.n8n.nodes, ...manifest.n8n.credentials]));
		expect(paths.filter((path) => !path.startsWith('dist/') && !['README.md', 'LICENSE', 'package.json', 'index.js'].includes(path))).toEqual([]);
		expect(paths.some((path) => path.includes('test') || path.includes('sandbox'))).toBe(false);
		expect(paths.filter((path) => path.endsWith('.svg')).length).toBeGreaterThanOrEqual(4);
	});
});
