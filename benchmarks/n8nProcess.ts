import { readFileSync } from 'fs';

/** What the real-n8n benchmarks (bench:n8n, and its queue mode) share. */

export const round = (value: number, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits;

export const sleep = async (ms: number) => await new Promise((resolve) => setTimeout(resolve, ms));

/** A memory field of a process's /proc status (VmHWM: its peak resident set since it started), in MB. */
export function procStatusMb(pid: number, field: 'VmHWM' | 'VmRSS'): number {
	const match = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
	return match ? Math.round(Number(match[1]) / 1024) : NaN;
}

/**
 * Waits until n8n has registered the published webhook (it does so shortly after it starts answering),
 * without starting the workflow: a CORS preflight answers 204 for a registered path, 404 before.
 */
export async function webhookRegistered(url: string, path: string): Promise<void> {
	for (let attempt = 0; attempt < 120; attempt++) {
		const response = await fetch(`${url}/webhook/${path}`, { method: 'OPTIONS', headers: { origin: 'http://127.0.0.1', 'access-control-request-method': 'POST' } });
		if (response.status === 204) return;
		await sleep(1000);
	}
	throw new Error(`n8n did not register the webhook ${path} within 2 minutes`);
}
