import type { ChildProcess } from 'child_process';
import { rmSync } from 'fs';

import { importExamples, prepareN8n, progress, startN8n, startSandboxProcess, stopChild } from './n8nRuntime';

/**
 * `npm run n8n [-- --port 5678 --sandbox-port 5680]`: a real n8n with this package installed, the
 * sandbox running at the published limits, its credentials and the example workflows imported, and
 * an owner account to log in with. Every run starts from a fresh, temporary n8n user folder; Ctrl+C
 * (SIGINT) or SIGTERM stops n8n and the sandbox, waits for both to be gone and removes that folder.
 */

export const OWNER = { email: 'owner@segment-export.example', password: 'Sandbox-Owner-1', firstName: 'Sandbox', lastName: 'Owner' };

/** Creates the owner account n8n asks for on first start. */
export async function setUpOwner(url: string): Promise<void> {
	const post = async () => await fetch(`${url}/rest/owner/setup`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(OWNER) });
	let response = await post();
	// n8n mounts its REST routes a little after it starts answering /healthz.
	for (let attempt = 0; response.status === 404 && attempt < 60; attempt++) {
		await new Promise((resolve) => setTimeout(resolve, 1000));
		response = await post();
	}
	if (!response.ok) throw new Error(`Owner setup failed: HTTP ${response.status} ${(await response.text()).slice(0, 300)}`);
}

/**
 * Installs and starts everything. `onChild` learns of each child process as soon as it is spawned,
 * and `onUserFolder` of the temporary user folder as soon as it exists, so that a signal during
 * start-up can still stop and clean up everything.
 */
export async function startEditor(
	port: number,
	sandboxPort: number,
	hooks: { onChild?: (name: string, child: ChildProcess) => void; onUserFolder?: (folder: string) => void } = {},
) {
	const { userFolder } = prepareN8n();
	hooks.onUserFolder?.(userFolder);
	progress('Starting the destination sandbox at the published limits');
	const sandbox = await startSandboxProcess(1, sandboxPort, (child) => hooks.onChild?.('the sandbox', child));
	try {
		progress('Importing the sandbox credentials and the example workflows');
		importExamples(userFolder, sandbox.endpoints);
		progress('Starting n8n');
		const n8n = await startN8n(userFolder, port, (child) => hooks.onChild?.('n8n', child));
		try {
			await setUpOwner(n8n.url);
		} catch (error) {
			await stopChild(n8n.process);
			throw error;
		}
		return { n8n, sandbox, userFolder };
	} catch (error) {
		await stopChild(sandbox.process);
		throw error;
	}
}

function option(name: string, fallback: number): number {
	const args = process.argv.slice(2);
	const at = args.indexOf(`--${name}`);
	const value = at >= 0 ? Number(args[at + 1]) : fallback;
	if (!Number.isInteger(value) || value <= 0 || value > 65535) throw new Error(`--${name} takes a port number`);
	return value;
}

async function main(): Promise<void> {
	const port = option('port', 5678);
	const sandboxPort = option('sandbox-port', 5680);
	const children = new Map<ChildProcess, string>();
	let userFolder: string | undefined;
	let stopping = false;

	const stop = async (reason: string, exitCode = 0) => {
		if (stopping) return;
		stopping = true;
		progress(`${reason}: stopping n8n and the sandbox`);
		// n8n first (it may still be finishing an execution against the sandbox), then the sandbox.
		const ordered = [...children].sort(([, a], [, b]) => (a === 'n8n' ? -1 : b === 'n8n' ? 1 : 0));
		for (const [child, name] of ordered) progress(`${name} (pid ${child.pid}) ${await stopChild(child)}`);
		if (userFolder) {
			rmSync(userFolder, { recursive: true, force: true });
			progress(`Removed the temporary n8n user folder ${userFolder}`);
		}
		progress('Stopped.');
		process.exit(exitCode);
	};
	process.on('SIGINT', () => void stop('SIGINT'));
	process.on('SIGTERM', () => void stop('SIGTERM'));

	try {
		const { n8n, sandbox } = await startEditor(port, sandboxPort, {
			onChild: (name, child) => {
				children.set(child, name);
				child.once('exit', (code, signal) => {
					children.delete(child);
					// Ctrl+C reaches the whole process group: a child may end before this process's own handler runs.
					if (!stopping) void stop(`${name} ended (${signal ?? `exit code ${code}`})`, code === 0 || signal === 'SIGINT' || signal === 'SIGTERM' ? 0 : 1);
				});
			},
			onUserFolder: (folder) => (userFolder = folder),
		});
		progress(`n8n answers at ${n8n.url} (pid ${n8n.process.pid}); the sandbox at ${sandbox.url} (pid ${sandbox.process.pid})`);
		console.log('');
		console.log(`n8n editor:  ${n8n.url}`);
		console.log(`Log in with: ${OWNER.email} / ${OWNER.password}`);
		console.log(`Sandbox:     ${sandbox.url} (state at ${sandbox.url}/_sandbox/state)`);
		console.log(`n8n's data:  ${userFolder} (temporary: removed when you stop; every run starts fresh)`);
		console.log('The example workflows and the sandbox credentials are imported. Press Ctrl+C to stop.');
	} catch (error) {
		console.error((error as Error).message);
		await stop('Start-up failed', 1);
	}
}

if (require.main === module) void main();
