const { src, dest } = require('gulp');

const { finished } = require('stream/promises');

// tsc emits only JavaScript: node and credential icons, and each node's codex file (<Node>.node.json:
// categories, docs links, aliases, which n8n reads next to <Node>.node.js), are copied next to the compiled files.
async function buildIcons() {
	await Promise.all([
		finished(src('nodes/**/*.{png,svg}', { encoding: false }).pipe(dest('dist/nodes'))),
		finished(src('nodes/**/*.node.json').pipe(dest('dist/nodes'))),
		finished(src('credentials/**/*.{png,svg}', { encoding: false }).pipe(dest('dist/credentials'))),
	]);
}

exports['build:icons'] = buildIcons;
