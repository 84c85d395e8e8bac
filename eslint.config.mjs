import { n8nCommunityNodesPlugin } from '@n8n/eslint-plugin-community-nodes';
import tseslint from 'typescript-eslint';

export default [
	{ ignores: ['dist/**', '.build/**', 'node_modules/**', 'test/**', 'scripts/**', 'benchmarks/**', '*.js', '*.mjs'] },
	{
		files: ['nodes/**/*.ts', 'credentials/**/*.ts'],
		languageOptions: { parser: tseslint.parser, parserOptions: { project: './tsconfig.json' } },
	},
	// The package.json rules (no runtime dependencies, n8n section, peer dependencies) read the
	// file through the TypeScript parser, which parses .json files as one object expression.
	{ files: ['package.json'], languageOptions: { parser: tseslint.parser, parserOptions: { extraFileExtensions: ['.json'] } } },
	n8nCommunityNodesPlugin.configs.recommended,
];
