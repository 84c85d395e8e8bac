import type { IExecuteFunctions, IHttpRequestOptions, INodeExecutionData } from 'n8n-workflow';

import type { WindowPacer } from '../../nodes/shared/engine/rateLimiter';
import { UPSERT_ALL } from '../../nodes/shared/engine/sync';
import { ActiveCampaignSandbox, AC_TEST_API_KEY } from '../sandbox/activeCampaign';
import { destinationBySlug } from '../destinations';

/**
 * Exporter processes sharing one ActiveCampaign account, on a simulated clock (jest's fake timers):
 * each process loads the engine afresh (jest.isolateModules), so its pacer shares no memory with the
 * others', as in n8n queue-mode workers; they all talk to one in-memory ActiveCampaign sandbox that
 * counts its windows by arrival. The network is a seeded random latency, Math.random is seeded too:
 * the same arguments give the same requests at the same simulated instants, whatever the machine's load.
 * Call only with jest's modern fake timers installed (`jest.useFakeTimers({ now: 0 })`).
 */

export interface SimulatedRequest {
	process: number;
	kind: 'import' | 'poll' | 'discovery';
	status: number;
	sentAt: number;
	arrivedAt: number;
	answeredAt: number;
	/** Answered 400 "Rate limit exceeded" (ActiveCampaign's form for the imports-per-minute limit). */
	importLimit: boolean;
}

export interface SimulatedProcess {
	startedAt: number;
	endedAt: number;
	exported: number;
	notSent: number;
	error?: string;
	/** The process's pacer, for its share history. */
	pacer?: WindowPacer;
}

export interface SimulationResult {
	processes: SimulatedProcess[];
	requests: SimulatedRequest[];
	wallMs: number;
	floorMs: number;
	throttled: number;
	importLimitAnswers: number;
	samples: Array<{ at: number; shares: number[] }>;
}

export interface SimulationOptions {
	/** Contacts per process… */
	contacts: number;
	/** …or each process's own number. */
	contactsOf?: number[];
	/** Processes exporting at once, each its own contacts. */
	processes: number;
	/** Limits × scale for the sandbox and the credential (the bench's 10). */
	scale: number;
	batchSize?: number;
	seed?: number;
	/** Records each process's share this often (simulated ms), for a look at its course. */
	sampleEveryMs?: number;
	/** When each process starts (simulated ms); all at 0 when absent. */
	startAt?: number[];
}

/** A small seeded generator (mulberry32). */
export function seededRandom(seed: number): () => number {
	let state = seed >>> 0;
	return () => {
		state = (state + 0x6d2b79f5) >>> 0;
		let t = state;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

const BASE_URL = 'https://simulated.example.com/ac/api/3';
const delay = async (ms: number) => await new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function simulateSharedAccount(options: SimulationOptions): Promise<SimulationResult> {
	const batchSize = options.batchSize ?? 250;
	const random = seededRandom(options.seed ?? 1);
	const restoreRandom = jest.spyOn(Math, 'random').mockImplementation(random);
	const service = new ActiveCampaignSandbox(options.scale);
	const requests: SimulatedRequest[] = [];
	const outcomes: SimulatedProcess[] = [];
	const samples: Array<{ at: number; shares: number[] }> = [];
	try {
		const runs = Array.from({ length: options.processes }, async (_, index) => {
			let engine!: typeof import('../../nodes/shared/engine/run');
			let adapterModule!: typeof import('../../nodes/ActiveCampaign/adapter');
			let limiter!: typeof import('../../nodes/shared/engine/rateLimiter');
			jest.isolateModules(() => {
				/* eslint-disable @typescript-eslint/no-require-imports */
				engine = require('../../nodes/shared/engine/run') as typeof engine;
				adapterModule = require('../../nodes/ActiveCampaign/adapter') as typeof adapterModule;
				limiter = require('../../nodes/shared/engine/rateLimiter') as typeof limiter;
				/* eslint-enable @typescript-eslint/no-require-imports */
			});
			const outcome: SimulatedProcess = { startedAt: NaN, endedAt: NaN, exported: 0, notSent: 0 };
			outcomes[index] = outcome;
			// The process's own pacer, kept for its share history (the engine creates it on first use).
			const pacerFor = limiter.pacerFor;
			(limiter as { pacerFor: typeof pacerFor }).pacerFor = (key, create) => (outcome.pacer = pacerFor(key, create) as WindowPacer);
			const items: INodeExecutionData[] = Array.from({ length: options.contactsOf?.[index] ?? options.contacts }, (_, n) => ({
				json: { email: `p${index}.${n}@example.com`, firstName: `First${n}`, lastName: `P${index}` },
			}));
			const context = {
				getNode: () => ({ id: `n${index}`, name: 'Export', type: 'activeCampaignExport', typeVersion: 2, position: [0, 0], parameters: {} }),
				getInputData: () => items,
				getNodeParameter: (_name: string, _index: number, fallback: unknown) => fallback,
				continueOnFail: () => false,
				getExecutionCancelSignal: () => undefined,
				logger: { info: () => {}, debug: () => {}, warn: () => {}, error: () => {} },
				helpers: {
					httpRequestWithAuthentication: async (_type: string, request: IHttpRequestOptions) => {
						const url = new URL(request.url);
						for (const [key, value] of Object.entries(request.qs ?? {})) url.searchParams.set(key, String(value));
						const path = url.pathname.replace(/^\/ac/, '');
						const kind = path.endsWith('/bulk_import') ? 'import' : path.endsWith('/import/info') ? 'poll' : 'discovery';
						const body = typeof request.body === 'string' ? request.body : '';
						const sentAt = Date.now();
						// Loopback-like latency: an import's body (tens of kB) takes longer to arrive and to be read.
						await delay(kind === 'import' ? 3 + random() * 7 : 1 + random() * 3);
						const arrivedAt = Date.now();
						const answer = await service.handle({ method: request.method ?? 'GET', path, query: url.searchParams, headers: { 'api-token': AC_TEST_API_KEY }, rawBody: Buffer.from(body), arrivedAt });
						await delay((answer.delayMs ?? 0) + (kind === 'import' ? 5 + random() * 10 : 1 + random() * 2));
						const importLimit = answer.status === 400 && /Rate limit exceeded/.test(JSON.stringify(answer.body));
						requests.push({ process: index, kind, status: answer.status, sentAt, arrivedAt, answeredAt: Date.now(), importLimit });
						const headers = Object.fromEntries(Object.entries(answer.headers ?? {}).map(([key, value]) => [key.toLowerCase(), value]));
						return { statusCode: answer.status, headers, body: answer.rawBody ?? JSON.stringify(answer.body ?? {}) };
					},
				},
			} as unknown as IExecuteFunctions;
			await delay(options.startAt?.[index] ?? 0);
			outcome.startedAt = Date.now();
			const adapter = new adapterModule.ActiveCampaignAdapter(context, BASE_URL, {
				listIds: [1],
				emailField: 'email',
				fieldMap: { first_name: 'firstName', last_name: 'lastName' },
				customFields: [],
				autoMapCustomFields: false,
				tagWithSegments: false,
				tags: [],
				excludeAutomations: true,
			});
			try {
				const [[summary]] = await engine.runExport(context, adapter, { maxContacts: 10_000_000, batchSize, longValues: 'reject', rateLimitFactor: options.scale, sync: UPSERT_ALL }, AC_TEST_API_KEY);
				outcome.exported = Number(summary.json.exported);
				outcome.notSent = Number(summary.json.notSent);
				if (summary.json.error) outcome.error = String(summary.json.error);
			} catch (error) {
				outcome.error = (error as Error).message;
			}
			outcome.endedAt = Date.now();
		});
		let settled = false;
		const all = Promise.all(runs).finally(() => (settled = true));
		if (options.sampleEveryMs) {
			const sample = () => {
				if (settled) return;
				samples.push({ at: Date.now(), shares: outcomes.map((outcome) => (outcome.pacer && !(outcome.endedAt >= 0) ? outcome.pacer.currentShare() : NaN)) });
				setTimeout(sample, options.sampleEveryMs);
			};
			sample();
		}
		// Nothing but timers moves the simulation: jump from one to the next until every process ended.
		while (!settled) await jest.advanceTimersToNextTimerAsync();
		await all;
	} finally {
		restoreRandom.mockRestore();
	}
	const contacts = options.contactsOf?.reduce((sum, count) => sum + count, 0) ?? options.contacts * options.processes;
	const imports = Math.ceil(contacts / batchSize);
	const last = contacts - (imports - 1) * batchSize;
	const floorMs = destinationBySlug('active-campaign').bench.floorMs(imports, last) / options.scale;
	requests.sort((a, b) => a.sentAt - b.sentAt);
	return {
		processes: outcomes,
		requests,
		wallMs: Math.max(...outcomes.map((o) => o.endedAt)) - Math.min(...outcomes.map((o) => o.startedAt)),
		floorMs,
		throttled: requests.filter((request) => request.status === 429).length,
		importLimitAnswers: requests.filter((request) => request.importLimit).length,
		samples,
	};
}
