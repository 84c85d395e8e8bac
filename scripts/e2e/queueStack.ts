import { type ChildProcess, spawn, spawnSync } from 'child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'fs';
import { Socket } from 'net';
import { tmpdir } from 'os';
import { join } from 'path';
import { createInterface } from 'readline';

import { freePort, progress, startN8n } from './n8nRuntime';

/**
 * n8n's queue mode on one machine, from Debian packages and plain processes: Postgres and Redis on
 * loopback ports with their data in a temporary folder (no system services), then n8n as a main
 * instance and workers sharing one user folder (the installed package, the encryption key).
 */

const POSTGRES_USER = 'postgres';
export const DATABASE = 'n8n';

function postgresBin(): string | undefined {
	const root = '/usr/lib/postgresql';
	if (!existsSync(root)) return undefined;
	const versions = readdirSync(root)
		.filter((version) => existsSync(join(root, version, 'bin', 'initdb')))
		.sort((a, b) => Number(b) - Number(a));
	return versions.length ? join(root, versions[0], 'bin') : undefined;
}

function redisBin(): string | undefined {
	const found = spawnSync('bash', ['-c', 'command -v redis-server'], { encoding: 'utf8' });
	return found.status === 0 ? found.stdout.trim() : undefined;
}

/** Installs postgresql and redis-server from the distribution's packages when either is missing (needs root). */
export function ensurePackages(): { postgres: string; redis: string; installed: string } {
	let postgres = postgresBin();
	let redis = redisBin();
	let installed = 'already installed';
	if (!postgres || !redis) {
		const missing = [...(postgres ? [] : ['postgresql']), ...(redis ? [] : ['redis-server'])];
		if (process.getuid?.() !== 0) throw new Error(`${missing.join(' and ')} missing; install them (apt-get install -y ${missing.join(' ')}) or run this as root`);
		const started = Date.now();
		progress(`Installing ${missing.join(' and ')}: apt-get update, apt-get install -y ${missing.join(' ')}`);
		const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
		for (const args of [['update', '-q'], ['install', '-y', '-q', ...missing]]) {
			const result = spawnSync('apt-get', args, { stdio: 'inherit', env });
			if (result.status !== 0) throw new Error(`apt-get ${args.join(' ')} failed (${result.status})`);
		}
		postgres = postgresBin();
		redis = redisBin();
		if (!postgres || !redis) throw new Error('postgresql or redis-server still missing after apt-get install');
		installed = `installed ${missing.join(' and ')} in ${((Date.now() - started) / 1000).toFixed(0)} s`;
	}
	return { postgres, redis, installed };
}

/** Resolves once something accepts TCP connections on 127.0.0.1:port, or rejects when `child` ends first. */
async function waitForPort(port: number, child: ChildProcess, name: string, log: string[]): Promise<void> {
	const deadline = Date.now() + 60_000;
	while (Date.now() < deadline) {
		if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${name} ended (${child.exitCode ?? child.signalCode}):\n${log.slice(-20).join('\n')}`);
		const open = await new Promise<boolean>((resolve) => {
			const socket = new Socket();
			socket.once('connect', () => (socket.destroy(), resolve(true)));
			socket.once('error', () => resolve(false));
			socket.connect(port, '127.0.0.1');
		});
		if (open) return;
		await new Promise((resolve) => setTimeout(resolve, 250));
	}
	throw new Error(`${name} did not listen on port ${port} within a minute:\n${log.slice(-20).join('\n')}`);
}

function keepLog(child: ChildProcess): string[] {
	const log: string[] = [];
	if (child.stdout) createInterface({ input: child.stdout }).on('line', (line) => log.push(line));
	if (child.stderr) createInterface({ input: child.stderr }).on('line', (line) => log.push(line));
	return log;
}

function postgresIds(): { uid: number; gid: number } {
	const id = (flag: string) => Number(spawnSync('id', [flag, POSTGRES_USER], { encoding: 'utf8' }).stdout.trim());
	return { uid: id('-u'), gid: id('-g') };
}

/** A temporary folder for the databases' data; the postgres user may pass through it to its own subfolder. */
export function makeDataRoot(): string {
	const root = mkdtempSync(join(tmpdir(), 'segment-export-queue-'));
	chmodSync(root, 0o711);
	return root;
}

/**
 * initdb (as the postgres user: it refuses root) into `root`/postgres, then the server on
 * 127.0.0.1:`port` with no Unix socket, and a database for n8n.
 */
export async function startPostgres(bin: string, root: string, port: number, onSpawn: (child: ChildProcess) => void): Promise<{ process: ChildProcess; log: string[] }> {
	const data = join(root, 'postgres');
	mkdirSync(data, { mode: 0o700 });
	const { uid, gid } = postgresIds();
	chownSync(data, uid, gid);
	const init = spawnSync('runuser', ['-u', POSTGRES_USER, '--', join(bin, 'initdb'), '-D', data, '-U', POSTGRES_USER, '--auth=trust', '-E', 'UTF8', '--no-sync'], {
		encoding: 'utf8',
		cwd: root,
	});
	if (init.status !== 0) throw new Error(`initdb failed (${init.status}):\n${init.stderr}\n${init.stdout}`.slice(0, 3000));
	// Started with the postgres user's ids directly, so that this process's signals reach the postmaster;
	// in a process group of its own, so that Ctrl+C reaches it only through this process, after n8n.
	const child = spawn(join(bin, 'postgres'), ['-D', data, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'fsync=off'], {
		uid,
		gid,
		cwd: root,
		detached: true,
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	onSpawn(child);
	const log = keepLog(child);
	await waitForPort(port, child, 'Postgres', log);
	// The port answers a moment before the server accepts sessions: retry createdb briefly.
	for (let attempt = 0; ; attempt++) {
		const created = spawnSync(join(bin, 'createdb'), ['-h', '127.0.0.1', '-p', String(port), '-U', POSTGRES_USER, DATABASE], { encoding: 'utf8' });
		if (created.status === 0) break;
		if (attempt >= 40) throw new Error(`createdb failed: ${created.stderr}`);
		await new Promise((resolve) => setTimeout(resolve, 250));
	}
	return { process: child, log };
}

/** redis-server on 127.0.0.1:`port`, nothing persisted, its working folder in `root`/redis. */
export async function startRedis(bin: string, root: string, port: number, onSpawn: (child: ChildProcess) => void): Promise<{ process: ChildProcess; log: string[] }> {
	const dir = join(root, 'redis');
	mkdirSync(dir);
	const child = spawn(bin, ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no', '--daemonize', 'no'], {
		cwd: dir,
		detached: true,
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	onSpawn(child);
	const log = keepLog(child);
	await waitForPort(port, child, 'Redis', log);
	return { process: child, log };
}

/** What every n8n process of the queue needs besides n8nEnv: the queue, the database; binary data mode left at n8n's queue-mode default. */
export function queueEnv(postgresPort: number, redisPort: number): NodeJS.ProcessEnv {
	return {
		EXECUTIONS_MODE: 'queue',
		QUEUE_BULL_REDIS_HOST: '127.0.0.1',
		QUEUE_BULL_REDIS_PORT: String(redisPort),
		DB_TYPE: 'postgresdb',
		DB_POSTGRESDB_HOST: '127.0.0.1',
		DB_POSTGRESDB_PORT: String(postgresPort),
		DB_POSTGRESDB_DATABASE: DATABASE,
		DB_POSTGRESDB_USER: POSTGRES_USER,
		DB_POSTGRESDB_PASSWORD: '',
	};
}

export interface N8nProcess {
	name: string;
	process: ChildProcess;
	log: string[];
	url: string;
}

/**
 * n8n workers (`n8n worker --concurrency=N`), each answering /healthz on a port of its own, started
 * after the main instance has migrated the database.
 */
export async function startWorkers(
	userFolder: string,
	env: NodeJS.ProcessEnv,
	count: number,
	concurrency: number,
	onSpawn: (name: string, child: ChildProcess) => void,
): Promise<N8nProcess[]> {
	const workers: N8nProcess[] = [];
	for (let index = 1; index <= count; index++) {
		const name = `worker ${index}`;
		const port = await freePort();
		const worker = await startN8n(userFolder, port, (child) => onSpawn(name, child), {
			args: ['worker', `--concurrency=${concurrency}`],
			extraEnv: { ...env, QUEUE_HEALTH_CHECK_ACTIVE: 'true', QUEUE_HEALTH_CHECK_PORT: String(port), N8N_RUNNERS_BROKER_PORT: String(port + 1) },
		});
		workers.push({ name, ...worker });
	}
	return workers;
}

/** Stops a child with `signal` and waits for it, SIGKILL after `graceMs`. */
export async function stopWith(child: ChildProcess, signal: NodeJS.Signals, graceMs = 20_000): Promise<string> {
	if (child.exitCode !== null || child.signalCode !== null) return `had already ended (${child.exitCode ?? child.signalCode})`;
	const ended = new Promise<string>((resolve) => child.once('exit', (code, endSignal) => resolve(endSignal ? `ended by ${endSignal}` : `exited with ${code}`)));
	child.kill(signal);
	const timer = new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), graceMs).unref());
	const first = await Promise.race([ended, timer]);
	if (first !== undefined) return first;
	child.kill('SIGKILL');
	return `${await ended} (did not end within ${graceMs / 1000} s of ${signal})`;
}

export function removeFolder(folder: string): void {
	rmSync(folder, { recursive: true, force: true });
}
