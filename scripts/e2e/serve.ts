import { importExamples, prepareN8n, progress, startN8n, startSandboxProcess } from './n8nRuntime';

/**
 * `npm run n8n`: a real n8n with this package installed, the sandbox running at the published limits,
 * its credentials and the example workflows imported, and an owner account to log in with.
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

export async function startEditor(port: number, sandboxPort: number) {
	const { userFolder } = prepareN8n();
	progress('Starting the destination sandbox at the published limits');
	const sandbox = await startSandboxProcess(1, sandboxPort);
	try {
		progress('Importing the sandbox credentials and the example workflows');
		importExamples(userFolder, sandbox.endpoints);
		progress('Starting n8n');
		const n8n = await startN8n(userFolder, port);
		try {
			await setUpOwner(n8n.url);
		} catch (error) {
			n8n.process.kill('SIGTERM');
			throw error;
		}
		return { n8n, sandbox, userFolder };
	} catch (error) {
		sandbox.process.kill('SIGTERM');
		throw error;
	}
}

async function main(): Promise<void> {
	const { n8n, sandbox } = await startEditor(5678, 5680);
	console.log('');
	console.log(`n8n editor:  ${n8n.url}`);
	console.log(`Log in with: ${OWNER.email} / ${OWNER.password}`);
	console.log(`Sandbox:     ${sandbox.url} (state at ${sandbox.url}/_sandbox/state)`);
	console.log('The example workflows and the sandbox credentials are imported. Press Ctrl+C to stop.');
	const stop = () => {
		n8n.process.kill('SIGTERM');
		sandbox.process.kill('SIGTERM');
		process.exit(0);
	};
	process.on('SIGINT', stop);
	process.on('SIGTERM', stop);
}

if (require.main === module) {
	main().catch((error: Error) => {
		console.error(error.message);
		process.exit(1);
	});
}
