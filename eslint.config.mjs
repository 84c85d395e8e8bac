import { n8nCommunityNodesPlugin } from '@n8n/eslint-plugin-community-nodes';
import tseslint from 'typescript-eslint';

export default [
	{ ignores: ['dist/**', '.build/**', 'node_modules/**', '*.js', '*.mjs', 'scripts/*.js'] },
	{
		files: ['nodes/**/*.ts', 'credentials/**/*.ts'],
		languageOptions: { parser: tseslint.parser, parserOptions: { project: './tsconfig.json' } },
	},
	// The package.json rules (no runtime dependencies, n8n section, peer dependencies) read the
	// file through the TypeScript parser, which parses .json files as one object expression.
	{ files: ['package.json'], languageOptions: { parser: tseslint.parser, parserOptions: { extraFileExtensions: ['.json'] } } },
	// The community-node rules are for the package's own code.
	...[n8nCommunityNodesPlugin.configs.recommended].map((config) => ({ ...config, files: ['nodes/**/*.ts', 'credentials/**/*.ts', 'package.json'] })),
	// Tests, scripts and benchmarks: typescript-eslint's recommended rules.
	...tseslint.configs.recommended.map((config) => ({ ...config, files: ['test/**/*.ts', 'scripts/**/*.ts', 'benchmarks/**/*.ts'] })),
	{
		files: ['test/**/*.ts', 'scripts/**/*.ts', 'benchmarks/**/*.ts'],
		// Parameters a signature requires but a fake does not use are named with a leading underscore.
		rules: { '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }] },
	},
];
