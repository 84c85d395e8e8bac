import { type ChildProcess, spawn } from 'child_process';
import { join } from 'path';
import { createInterface } from 'readline';

export const ROOT = join(__dirname, '..', '..');

/** Starts the sandbox in its own process (so its clock stamps arrivals, not our event loop's) and returns its endpoints. */
export async function startSandboxProcess(scale: number): Promise<{ child: ChildProcess; url: string; endpoints: Record<string, Record<string, unknown>> }> {
	const child = spawn(process.execPath, [join(ROOT, '.build', 'test', 'sandbox', 'cli.js'), '--port', '0', '--scale', String(scale), '--json'], { stdio: ['ignore', 'pipe', 'inherit'] });
	const line = await new Promise<string>((resolve, reject) => {
		createInterface({ input: child.stdout! }).once('line', resolve);
		child.once('exit', (code) => reject(new Error(`sandbox exited with ${code}`)));
	});
	const { url, endpoints } = JSON.parse(line) as { url: string; endpoints: Record<string, Record<string, unknown>> };
	return { child, url, endpoints };
}
