const { src, dest } = require('gulp');

// tsc emits only JavaScript: node and credential icons are copied next to the compiled files.
function buildIcons() {
	src('nodes/**/*.{png,svg}', { encoding: false }).pipe(dest('dist/nodes'));
	return src('credentials/**/*.{png,svg}', { encoding: false }).pipe(dest('dist/credentials'));
}

exports['build:icons'] = buildIcons;
