import type { ChildProcess } from 'child_process';
import { mkdirSync } from 'fs';
import { join } from 'path';
import type { Page } from 'playwright-core';
import { chromium } from 'playwright-core';

import { progress, ROOT } from './n8nRuntime';
import { OWNER, startEditor } from './serve';

/**
 * `npm run screenshot`: the README's pictures of the nodes in a real n8n editor at its default panel
 * width, taken with Debian's Chromium (`apt-get install chromium`) driven by playwright-core:
 * the scheduled Campaign Monitor canvas, each exporter's parameters, Omnisend's Sync Mode set to Mirror,
 * Segment Source with the bundled sample, a Summary output, a credential form and the node picker searching "segment".
 * `SCREENSHOT_N8N_URL=http://127.0.0.1:5678` uses an editor already started with `npm run n8n`.
 */

const FOLDER = join(ROOT, 'docs', 'images');

const EXPORTERS = [
	{ workflow: 'SegExpSchedCM001', node: 'Campaign Monitor Export', file: 'campaign-monitor-parameters.png', canvas: undefined },
	{ workflow: 'SegExpSchedCC001', node: 'Constant Contact Export', file: 'constant-contact-parameters.png', canvas: 'scheduled-constant-contact.png' },
	{ workflow: 'SegExpSchedAC001', node: 'ActiveCampaign Export', file: 'active-campaign-parameters.png', canvas: 'scheduled-active-campaign.png' },
	{ workflow: 'SegExpSchedOM001', node: 'Omnisend Export', file: 'omnisend-parameters.png', canvas: 'scheduled-omnisend.png' },
];

async function save(page: Page, file: string): Promise<void> {
	await page.screenshot({ path: join(FOLDER, file) });
	progress(`Saved docs/images/${file}`);
}

async function openWorkflow(page: Page, url: string, id: string): Promise<void> {
	await page.goto(`${url}/workflow/${id}`, { waitUntil: 'networkidle' });
	await page.waitForSelector('[data-test-id="canvas-node"]', { timeout: 60_000 });
	await page.keyboard.press('Escape');
	await page.waitForTimeout(1000);
}

/** Opens a node's parameter panel (NDV) by double-clicking it on the canvas. */
async function openNode(page: Page, name: string): Promise<void> {
	await page.locator(`[data-test-id="canvas-node"][data-node-name="${name}"]`).dblclick();
	await page.waitForSelector('[data-test-id="ndv"]', { timeout: 30_000 });
	await page.waitForTimeout(1500);
}

async function closeNode(page: Page): Promise<void> {
	await page.keyboard.press('Escape');
	await page.waitForTimeout(500);
}

/** Waits for a child process to exit after SIGTERM (SIGKILL after 20 s), so no n8n is left running. */
async function stop(child: ChildProcess): Promise<void> {
	if (child.exitCode !== null || child.signalCode !== null) return;
	const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
	child.kill('SIGTERM');
	const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
	await exited;
	clearTimeout(timer);
}

async function main(): Promise<void> {
	const external = process.env.SCREENSHOT_N8N_URL;
	const editor = external ? undefined : await startEditor(5688, 5690);
	const url = external ?? editor!.n8n.url;
	const browser = await chromium.launch({
		executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
		args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
	});
	try {
		mkdirSync(FOLDER, { recursive: true });
		const page = await browser.newPage({ viewport: { width: 1400, height: 1000 }, deviceScaleFactor: 1 });
		progress('Logging in to the editor');
		const login = await page.request.post(`${url}/rest/login`, { data: { emailOrLdapLoginId: OWNER.email, password: OWNER.password } });
		if (!login.ok()) throw new Error(`Login failed: HTTP ${login.status()}`);

		progress('The scheduled Campaign Monitor example: canvas');
		await openWorkflow(page, url, 'SegExpSchedCM001');
		await save(page, 'scheduled-campaign-monitor.png');

		progress('Segment Source with the bundled sample');
		await openNode(page, 'Segment Source');
		await save(page, 'segment-source-sample.png');
		await closeNode(page);

		for (const exporter of EXPORTERS) {
			progress(`${exporter.node}: parameters`);
			await openWorkflow(page, url, exporter.workflow);
			if (exporter.canvas) await save(page, exporter.canvas);
			await openNode(page, exporter.node);
			await save(page, exporter.file);
			await closeNode(page);
		}

		progress('Omnisend Export with Sync Mode Mirror and Dry Run chosen (not saved)');
		await openWorkflow(page, url, 'SegExpSchedOM001');
		await openNode(page, 'Omnisend Export');
		const syncMode = page.locator('[data-test-id="parameter-input-syncMode"]').first();
		await syncMode.scrollIntoViewIfNeeded();
		await syncMode.click();
		await page.locator('.el-select-dropdown__item, [role="option"]').filter({ hasText: /^Mirror/ }).first().click();
		await page.waitForTimeout(500);
		await page.locator('[data-test-id="parameter-input-dryRun"]').first().click().catch(() => progress('Dry Run switch not found'));
		await page.waitForTimeout(500);
		await page.locator('[data-test-id="parameter-input-syncMode"]').first().scrollIntoViewIfNeeded();
		await page.mouse.move(0, 0);
		await page.waitForTimeout(800);
		await save(page, 'sync-mode-mirror.png');
		await closeNode(page);

		progress('Running the scheduled Campaign Monitor example for its Summary');
		await openWorkflow(page, url, 'SegExpSchedCM001');
		await page.locator('[data-test-id="execute-workflow-button"]').first().click();
		await page.waitForSelector('[data-test-id="canvas-node"][data-node-name="Campaign Monitor Export"] [data-test-id="canvas-node-status-success"]', { timeout: 180_000 }).catch(() => undefined);
		await page.waitForTimeout(3000);
		await openNode(page, 'Campaign Monitor Export');
		// The JSON view shows the Summary as saved workflows read it, `message` first.
		const output = page.locator('[data-test-id="output-panel"], [data-test-id="ndv-output-panel"]').first();
		await output.getByText('JSON', { exact: true }).first().click({ timeout: 10_000 }).catch(() => progress('JSON view not found: the Summary is shown as a table'));
		await page.waitForTimeout(1000);
		await save(page, 'summary-output.png');
		await closeNode(page);

		for (const [id, file] of [
			['sandboxActiveCampaign', 'credential-form.png'],
			['sandboxConstantContact', 'credential-form-constant-contact.png'],
		]) {
			progress(`A credential form: ${id}`);
			await page.goto(`${url}/home/credentials/${id}`, { waitUntil: 'networkidle' });
			await page.waitForSelector('[data-test-id="editCredential-modal"]', { timeout: 30_000 }).catch(() => undefined);
			await page.waitForTimeout(1500);
			await save(page, file);
		}

		progress('The node picker searching "segment"');
		await openWorkflow(page, url, 'SegExpSchedCM001');
		await page.locator('[data-test-id="node-creator-plus-button"]').first().click();
		await page.locator('input[data-test-id="node-creator-search-bar"]').fill('segment');
		await page.waitForTimeout(2000);
		await save(page, 'node-picker-segment.png');
	} finally {
		await browser.close();
		if (editor) await Promise.all([stop(editor.n8n.process), stop(editor.sandbox.process)]);
	}
}

main().catch((error: Error) => {
	console.error(error.message);
	process.exit(1);
});
