import { mkdirSync } from 'fs';
import { join } from 'path';
import { chromium } from 'playwright-core';

import { progress, ROOT } from './n8nRuntime';
import { OWNER, startEditor } from './serve';

/**
 * `npm run screenshot`: the scheduled Campaign Monitor example in the n8n editor, as the README
 * shows it, taken with Debian's Chromium (`apt-get install chromium`) driven by playwright-core.
 */
async function main(): Promise<void> {
	const { n8n, sandbox } = await startEditor(5688, 5690);
	const browser = await chromium.launch({
		executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
		args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
	});
	try {
		const page = await browser.newPage({ viewport: { width: 1400, height: 760 }, deviceScaleFactor: 1 });
		progress('Logging in to the editor');
		const login = await page.request.post(`${n8n.url}/rest/login`, { data: { emailOrLdapLoginId: OWNER.email, password: OWNER.password } });
		if (!login.ok()) throw new Error(`Login failed: HTTP ${login.status()}`);
		progress('Opening the scheduled Campaign Monitor example');
		await page.goto(`${n8n.url}/workflow/SegExpSchedCM001`, { waitUntil: 'networkidle' });
		await page.waitForSelector('[data-test-id="canvas-node"]', { timeout: 60_000 });
		await page.keyboard.press('Escape');
		await page.waitForTimeout(1500);
		const folder = join(ROOT, 'docs', 'images');
		mkdirSync(folder, { recursive: true });
		const file = join(folder, 'scheduled-campaign-monitor.png');
		await page.screenshot({ path: file });
		progress(`Saved ${file.slice(ROOT.length + 1)}`);
	} finally {
		await browser.close();
		n8n.process.kill('SIGTERM');
		sandbox.process.kill('SIGTERM');
	}
}

main().catch((error: Error) => {
	console.error(error.message);
	process.exit(1);
});
