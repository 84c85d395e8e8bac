import { type ChildProcess, spawnSync } from 'child_process';

import { freePort, importExamples, prepareN8n, progress, startN8n, startSandboxProcess } from './n8nRuntime';
import type { N8nProcess } from './queueStack';
import { ensurePackages, makeDataRoot, queueEnv, removeFolder, startPostgres, startRedis, startWorkers, stopWith } from './queueStack';
import { OWNER, setUpOwner } from './serve';

/**
 * `npm run n8n:queue [-- --workers 2 --concurrency 10]`: n8n in queue mode on this machine —
 * Postgres and Redis (installed from the distribution's packages if missing) as plain processes on
 * loopback ports, n8n's main instance and workers with this package installed, the sandbox at the
 * published limits, its credentials and the example workflows imported. Ctrl+C (SIGINT) or SIGTERM
 * stops everything it started, in order (n8n, the sandbox, Redis, Postgres), and removes its
 * temporary folders.
 */

export interface QueueOptions {
	workers: number;
	concurrency: number;
	sandboxScale: number;
	sandboxArgs?: string[];
	/** Added to the workers' environment (e.g. N8N_LOG_FORMAT=json for a test that reads their logs). */
	workerEnv?: NodeJS.ProcessEnv;
	/** Runs once the database has n8n's tables and the examples, before n8n starts (imports, publishing). */
	beforeStart?(context: { userFolder: string; env: NodeJS.ProcessEnv; endpoints: Record<string, Record<string, unknown>>; sandboxUrl: string }): void;
}

export interface QueueRun {
	main: N8nProcess;
	workers: N8nProcess[];
	sandbox: { url: string; endpoints: Record<string, Record<string, unknown>> };
	env: NodeJS.ProcessEnv;
	userFolder: string;
	postgres: { port: number; bin: string };
	/** Stops everything started so far, in order, and removes the temporary folders; idempotent. */
	stop(reason: string): Promise<void>;
}

/** What was started so far, so that a failure or a signal at any point stops exactly that. */
class Started {
	private readonly children: Array<{ name: string; child: ChildProcess; signal: NodeJS.Signals; order: number }> = [];

	private readonly folders: string[] = [];

	private stopping?: Promise<void>;

	constructor() {
		// Postgres and Redis run in process groups of their own (so that Ctrl+C does not end them
		// before n8n): should this process die without stopping them, they go with it.
		process.once('exit', () => {
			for (const { child } of this.children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
		});
	}

	child(name: string, child: ChildProcess, signal: NodeJS.Signals, order: number): void {
		this.children.push({ name, child, signal, order });
	}

	folder(path: string): void {
		this.folders.push(path);
	}

	async stop(reason: string): Promise<void> {
		this.stopping ??= (async () => {
			progress(`${reason}: stopping what was started`);
			const byOrder = new Map<number, typeof this.children>();
			for (const entry of this.children) byOrder.set(entry.order, [...(byOrder.get(entry.order) ?? []), entry]);
			for (const order of [...byOrder.keys()].sort((a, b) => a - b)) {
				await Promise.all(byOrder.get(order)!.map(async ({ name, child, signal }) => progress(`${name} (pid ${child.pid}) ${await stopWith(child, signal)}`)));
			}
			for (const folder of this.folders) {
				removeFolder(folder);
				progress(`Removed ${folder}`);
			}
		})();
		await this.stopping;
	}
}

export async function startQueue(options: QueueOptions, started = new Started()): Promise<QueueRun> {
	const run = async (): Promise<QueueRun> => {
		const { postgres: postgresBin, redis: redisBin, installed } = ensurePackages();
		progress(`Postgres (${postgresBin}) and Redis (${redisBin}): ${installed}`);
		const root = makeDataRoot();
		started.folder(root);
		const postgresPort = await freePort();
		progress(`Starting Postgres on 127.0.0.1:${postgresPort}, data in ${root}/postgres`);
		await startPostgres(postgresBin, root, postgresPort, (child) => started.child('Postgres', child, 'SIGINT', 4));
		const redisPort = await freePort();
		progress(`Starting Redis on 127.0.0.1:${redisPort}`);
		await startRedis(redisBin, root, redisPort, (child) => started.child('Redis', child, 'SIGTERM', 3));

		const { userFolder } = prepareN8n();
		started.folder(userFolder);
		progress(`Starting the destination sandbox (limits × ${options.sandboxScale})`);
		const sandbox = await startSandboxProcess(options.sandboxScale, 0, (child) => started.child('the sandbox', child, 'SIGTERM', 2), options.sandboxArgs);
		const env = queueEnv(postgresPort, redisPort);
		progress("Importing the sandbox credentials and the example workflows into Postgres (n8n's migrations run first)");
		importExamples(userFolder, sandbox.endpoints, env);
		options.beforeStart?.({ userFolder, env, endpoints: sandbox.endpoints, sandboxUrl: sandbox.url });

		const mainPort = await freePort();
		progress(`Starting n8n's main instance (EXECUTIONS_MODE=queue) on 127.0.0.1:${mainPort}`);
		const main = await startN8n(userFolder, mainPort, (child) => started.child('n8n main', child, 'SIGTERM', 1), { extraEnv: env });
		await setUpOwner(main.url);
		progress(`Starting ${options.workers} n8n workers (--concurrency=${options.concurrency})`);
		const workers = await startWorkers(userFolder, { ...env, ...options.workerEnv }, options.workers, options.concurrency, (name, child) => started.child(`n8n ${name}`, child, 'SIGTERM', 0));
		return {
			main: { name: 'main', ...main },
			workers,
			sandbox,
			env,
			userFolder,
			postgres: { port: postgresPort, bin: postgresBin },
			stop: async (reason) => await started.stop(reason),
		};
	};
	try {
		return await run();
	} catch (error) {
		await started.stop(`Start-up failed (${(error as Error).message.split('\n')[0]})`);
		throw error;
	}
}

/** Runs SQL against n8n's database; rows as JSON objects (one per line from psql). */
export function query<T>(postgres: { port: number; bin: string }, sql: string): T[] {
	const result = spawnSync(`${postgres.bin}/psql`, ['-h', '127.0.0.1', '-p', String(postgres.port), '-U', 'postgres', '-d', 'n8n', '-At', '-c', `select row_to_json(q) from (${sql}) q`], {
		encoding: 'utf8',
		maxBuffer: 512 * 1024 * 1024,
	});
	if (result.status !== 0) throw new Error(`psql failed: ${result.stderr}`);
	return result.stdout
		.split('\n')
		.filter(Boolean)
		.map((line) => JSON.parse(line) as T);
}

function option(name: string, fallback: number): number {
	const args = process.argv.slice(2);
	const at = args.indexOf(`--${name}`);
	const value = at >= 0 ? Number(args[at + 1]) : fallback;
	if (!Number.isInteger(value) || value <= 0) throw new Error(`--${name} takes a positive whole number`);
	return value;
}

async function main(): Promise<void> {
	const started = new Started();
	process.on('SIGINT', () => void started.stop('SIGINT').then(() => process.exit(0)));
	process.on('SIGTERM', () => void started.stop('SIGTERM').then(() => process.exit(0)));
	try {
		const queue = await startQueue({ workers: option('workers', 2), concurrency: option('concurrency', 10), sandboxScale: 1 }, started);
		console.log('');
		console.log(`n8n editor (main):  ${queue.main.url}   log in with ${OWNER.email} / ${OWNER.password}`);
		for (const worker of queue.workers) console.log(`n8n ${worker.name}:        pid ${worker.process.pid}, health at ${worker.url}/healthz`);
		console.log(`Postgres:           127.0.0.1:${queue.env.DB_POSTGRESDB_PORT}, database n8n, user postgres (trust on loopback)`);
		console.log(`Redis:              127.0.0.1:${queue.env.QUEUE_BULL_REDIS_PORT}`);
		console.log(`Sandbox:            ${queue.sandbox.url} (state at ${queue.sandbox.url}/_sandbox/state)`);
		console.log('Production executions (published workflows: webhooks, schedules) run on the workers; publish a');
		console.log('workflow in the editor to try it. Everything is temporary. Press Ctrl+C to stop.');
		for (const child of [queue.main, ...queue.workers]) {
			child.process.once('exit', (code, signal) => void started.stop(`n8n ${child.name} ended (${signal ?? `exit code ${code}`})`).then(() => process.exit(code === 0 || signal ? 0 : 1)));
		}
	} catch (error) {
		console.error((error as Error).message);
		process.exit(1);
	}
}

if (require.main === module) void main();
