import { mkdtempSync } from 'fs';
import type {
	ICredentialDataDecryptedObject,
	ICredentialType,
	IDataObject,
	INodeType,
	IVersionedNodeType,
	INode,
	INodeExecutionData,
	IRun,
	IWorkflowBase,
	IWorkflowExecuteAdditionalData,
} from 'n8n-workflow';
import { createRunExecutionData, Workflow } from 'n8n-workflow';
import { tmpdir } from 'os';
import { join } from 'path';

import { TestCredentialsHelper } from './credentials';
import { initDeduplication } from './deduplication';
import { loadCredentialTypes, PackageNodeTypes } from './package';

// n8n-core keeps instance settings under the user folder: keep them out of the home directory.
process.env.N8N_USER_FOLDER ??= mkdtempSync(join(tmpdir(), 'segment-export-n8n-'));
process.env.N8N_ENCRYPTION_KEY ??= 'in-process-runs-store-no-credentials';

/* eslint-disable @typescript-eslint/no-require-imports */
const { Container } = require('@n8n/di') as typeof import('@n8n/di');
const { Logger } = require('@n8n/backend-common') as typeof import('@n8n/backend-common');
const { BinaryDataService, ExecutionLifecycleHooks, LoadOptionsContext, WorkflowExecute } = require('n8n-core') as typeof import('n8n-core');
/* eslint-enable @typescript-eslint/no-require-imports */

export interface LogLine {
	level: 'error' | 'warn' | 'info' | 'debug';
	message: string;
	metadata?: unknown;
	/** When it was logged (epoch ms). */
	at: number;
}

/** Everything n8n logged during runs, so tests can check what reaches logs (counts, never secrets or contacts). */
export const logLines: LogLine[] = [];

/** Whether log lines are also printed (the demo and benchmarks show progress this way). */
let echo: ((line: LogLine) => void) | undefined;
export function echoLogs(printer: ((line: LogLine) => void) | undefined): void {
	echo = printer;
}

const captureLogger = {
	scoped() {
		return captureLogger;
	},
	...Object.fromEntries(
		(['error', 'warn', 'info', 'debug'] as const).map((level) => [
			level,
			(message: string, metadata?: unknown) => {
				const line = { level, message, metadata, at: Date.now() };
				logLines.push(line);
				echo?.(line);
			},
		]),
	),
};
Container.set(Logger, captureLogger as unknown as InstanceType<typeof Logger>);

/**
 * n8n's binary data service in filesystem mode, initialised as n8n does at start-up: binary data
 * goes to files under the user folder and items carry a reference (without this, n8n-core keeps
 * binary data base64 in the item and member files would never touch the disk).
 */
let binaryData: Promise<InstanceType<typeof BinaryDataService>> | undefined;
export async function binaryDataService(): Promise<InstanceType<typeof BinaryDataService>> {
	binaryData ??= (async () => {
		process.env.N8N_DEFAULT_BINARY_DATA_MODE ??= 'filesystem';
		const service = Container.get(BinaryDataService);
		await service.init();
		return service;
	})();
	return await binaryData;
}

const nodeTypes = new PackageNodeTypes();
const credentialTypes = loadCredentialTypes();

/** Makes node and credential types from outside this package runnable (n8n's built-in nodes, for benchmarks). */
export function registerExternalTypes(nodes: Record<string, INodeType | IVersionedNodeType>, credentials: ICredentialType[]): void {
	for (const [name, type] of Object.entries(nodes)) nodeTypes.add(name, type);
	for (const credential of credentials) credentialTypes.set(credential.name, credential);
}

function makeAdditionalData(credentialsHelper: TestCredentialsHelper, hooks?: unknown): IWorkflowExecuteAdditionalData {
	return {
		hooks,
		credentialsHelper,
		executionId: 'test-execution',
		restApiUrl: 'http://localhost:5678/rest',
		instanceBaseUrl: 'http://localhost:5678/',
		formWaitingBaseUrl: 'http://localhost:5678/form-waiting',
		webhookBaseUrl: 'http://localhost:5678/webhook',
		webhookWaitingBaseUrl: 'http://localhost:5678/webhook-waiting',
		webhookTestBaseUrl: 'http://localhost:5678/webhook-test',
		currentNodeParameters: undefined,
		executionTimeoutTimestamp: undefined,
		userId: 'test-user',
		variables: {},
		logAiEvent: () => {},
		setExecutionStatus: () => {},
		sendDataToUI: () => {},
		startRunnerTask: async () => {
			throw new Error('task runners are not available in tests');
		},
		executeWorkflow: async () => {
			throw new Error('sub-workflows are not available in tests');
		},
		getRunExecutionData: async () => undefined,
	} as unknown as IWorkflowExecuteAdditionalData;
}

export interface WorkflowRun {
	run: IRun;
	/** Items a node put on one of its outputs in its first run. */
	output(nodeName: string, outputIndex?: number): INodeExecutionData[];
	/** The error a node ended with, if any. */
	nodeError(nodeName: string): (Error & { description?: string }) | undefined;
	credentials: TestCredentialsHelper;
}

export interface RunOptions {
	/** Decrypted credential data by credential type name. */
	credentials?: Record<string, ICredentialDataDecryptedObject>;
	/** JSON of the item the first node receives. */
	startItem?: IDataObject;
	/** Items the first node receives instead of one start item. */
	startItems?: INodeExecutionData[];
	credentialsHelper?: TestCredentialsHelper;
	/** Called once the execution started, with a function that cancels it as the editor's Stop button does. */
	onStart?(cancel: () => void): void;
}

/**
 * Runs a workflow JSON in-process through n8n-core's WorkflowExecute, with this package's nodes
 * loaded from dist/ as n8n loads an installed community package.
 */
export async function runWorkflow(workflowData: IWorkflowBase | Pick<IWorkflowBase, 'nodes' | 'connections'>, options: RunOptions = {}): Promise<WorkflowRun> {
	await binaryDataService();
	await initDeduplication();
	const credentialsHelper = options.credentialsHelper ?? new TestCredentialsHelper(credentialTypes);
	for (const [type, data] of Object.entries(options.credentials ?? {})) credentialsHelper.set(type, data);

	const workflow = new Workflow({
		id: 'test-workflow',
		name: 'test',
		nodes: workflowData.nodes,
		connections: workflowData.connections,
		active: false,
		nodeTypes,
		settings: {},
	});
	const startNodeName = workflowData.nodes.find((node) => !Object.values(workflowData.connections).some((outputs) =>
		Object.values(outputs).some((lists) => lists?.some((list) => list?.some((connection) => connection.node === node.name))),
	))!.name;
	const startNode = workflow.getNode(startNodeName)!;

	const hooks = new ExecutionLifecycleHooks('manual', 'test-execution', { ...workflowData, id: 'test-workflow' } as IWorkflowBase);
	let resolveRun: (run: IRun) => void = () => {};
	const finished = new Promise<IRun>((resolve) => (resolveRun = resolve));
	hooks.addHandler('workflowExecuteAfter', (run) => resolveRun(run));

	const additionalData = makeAdditionalData(credentialsHelper, hooks);

	const startItems = options.startItems ?? [{ json: options.startItem ?? {} }];
	const runExecutionData = createRunExecutionData({
		executionData: { nodeExecutionStack: [{ node: startNode, data: { main: [startItems] }, source: null }] },
	});
	const execution = new WorkflowExecute(additionalData, 'manual', runExecutionData);
	const running = execution.processRunExecutionData(workflow);
	options.onStart?.(() => running.cancel());
	// A cancelled execution ends at once (n8n reports it then); the node settles on its own.
	const run = await Promise.race([finished, running.then(async () => await finished)]);

	return {
		run,
		credentials: credentialsHelper,
		output(nodeName, outputIndex = 0) {
			const taskData = run.data.resultData.runData[nodeName]?.[0];
			if (!taskData) throw new Error(`Node "${nodeName}" did not run${run.data.resultData.error ? `: ${run.data.resultData.error.message}` : ''}`);
			if (taskData.error) throw new Error(`Node "${nodeName}" failed: ${taskData.error.message}`);
			return taskData.data?.main?.[outputIndex] ?? [];
		},
		nodeError(nodeName) {
			return run.data.resultData.runData[nodeName]?.[0]?.error as (Error & { description?: string }) | undefined;
		},
	};
}

/**
 * The context n8n gives a node's list-search and load-options methods in the editor, for one node
 * with the given parameters and credentials.
 */
export function editorContext(node: INode, credentials: Record<string, ICredentialDataDecryptedObject>) {
	const credentialsHelper = new TestCredentialsHelper(credentialTypes);
	for (const [type, data] of Object.entries(credentials)) credentialsHelper.set(type, data);
	const workflow = new Workflow({ id: 'editor', name: 'editor', nodes: [node], connections: {}, active: false, nodeTypes, settings: {} });
	return new LoadOptionsContext(workflow, workflow.getNode(node.name)!, makeAdditionalData(credentialsHelper), 'parameters');
}

/**
 * Runs a credential's `test` request as n8n's credential test does: expressions resolved against the
 * credential, authentication applied by the credentials helper. Returns the HTTP status.
 */
export async function testCredential(type: string, data: ICredentialDataDecryptedObject): Promise<number> {
	const credentialType = credentialTypes.get(type)!;
	const request = credentialType.test!.request;
	const node: INode = { id: 't', name: 'Test', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} };
	const workflow = new Workflow({ id: 'cred-test', name: 'cred-test', nodes: [node], connections: {}, active: false, nodeTypes, settings: {} });
	const credentialsHelper = new TestCredentialsHelper(credentialTypes);
	credentialsHelper.set(type, data);
	const decrypted = await credentialsHelper.getDecrypted({}, { id: 't', name: 't' }, type);
	const resolve = (value: unknown) =>
		typeof value === 'string' && value.startsWith('=')
			? workflow.expression.getSimpleParameterValue(node, value, 'internal', { $credentials: decrypted }, undefined, '')
			: value;
	const options = await credentialsHelper.authenticate(decrypted, type, { url: '', method: request.method ?? 'GET', headers: {}, qs: {} }, workflow, node);
	const url = `${resolve(request.baseURL) ?? ''}${resolve(request.url) ?? ''}`;
	const headers: Record<string, string> = { ...(options.headers as Record<string, string>) };
	// OAuth2 types: n8n's credential test sends the stored access token.
	if (credentialsHelper.getParentTypes(type).includes('oAuth2Api')) {
		headers.authorization = `Bearer ${(decrypted.oauthTokenData as { access_token?: string } | undefined)?.access_token ?? ''}`;
	}
	if (options.auth) headers.authorization = `Basic ${Buffer.from(`${options.auth.username}:${options.auth.password}`).toString('base64')}`;
	const query = new URLSearchParams(options.qs as Record<string, string>).toString();
	const response = await fetch(query ? `${url}?${query}` : url, { method: options.method, headers });
	return response.status;
}
