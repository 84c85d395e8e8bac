import { existsSync, readFileSync } from 'fs';
import type { ICredentialType, INodeType, INodeTypes, IVersionedNodeType } from 'n8n-workflow';
import { NodeHelpers } from 'n8n-workflow';
import { dirname, join } from 'path';

/** The package folder: the nearest one up with a package.json (this file also runs compiled, from .build/). */
function findPackageRoot(start: string): string {
	let folder = start;
	while (!existsSync(join(folder, 'package.json')) || folder.endsWith('.build')) {
		const parent = dirname(folder);
		if (parent === folder) throw new Error('package.json not found');
		folder = parent;
	}
	return folder;
}

export const PACKAGE_ROOT = findPackageRoot(__dirname);
const manifest = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as {
	name: string;
	n8n: { nodes: string[]; credentials: string[] };
};
export const PACKAGE_NAME = manifest.name;

/** Instantiates every class a compiled file exports, as n8n's package loader does. */
function loadClasses<T>(relativePath: string): T[] {
	const file = join(PACKAGE_ROOT, relativePath);
	let exported: Record<string, new () => T>;
	try {
		// eslint-disable-next-line @typescript-eslint/no-require-imports
		exported = require(file) as Record<string, new () => T>;
	} catch (error) {
		throw new Error(`Cannot load ${relativePath}: run "npm run build" first (${(error as Error).message})`);
	}
	return Object.values(exported).filter((value) => typeof value === 'function').map((Class) => new Class());
}

/** The package's credential types by name, from the "n8n" section of package.json. */
export function loadCredentialTypes(): Map<string, ICredentialType> {
	const types = new Map<string, ICredentialType>();
	for (const path of manifest.n8n.credentials) {
		for (const credential of loadClasses<ICredentialType>(path)) types.set(credential.name, credential);
	}
	return types;
}

/**
 * A stand-in for n8n's Manual Trigger (n8n-nodes-base is not a dependency): it passes on the item
 * the execution starts with, which is all a manual or scheduled start gives the next node.
 */
const startNodeStandIn: INodeType = {
	description: {
		displayName: 'Start (test stand-in)',
		name: 'manualTrigger',
		group: ['trigger'],
		version: 1,
		description: '',
		defaults: { name: 'Start' },
		inputs: [],
		outputs: ['main'],
		properties: [],
	},
	async execute() {
		return [this.getInputData()];
	},
};

/** Node types: ours as "<package>.<name>", like an installed community package, and stand-ins for n8n's start nodes. */
export class PackageNodeTypes implements INodeTypes {
	private readonly types = new Map<string, INodeType | IVersionedNodeType>();

	constructor() {
		for (const path of manifest.n8n.nodes) {
			for (const nodeType of loadClasses<INodeType>(path)) {
				this.types.set(`${PACKAGE_NAME}.${nodeType.description.name}`, nodeType);
			}
		}
		for (const name of ['manualTrigger', 'scheduleTrigger']) this.types.set(`n8n-nodes-base.${name}`, startNodeStandIn);
	}

	getByName(nodeType: string): INodeType | IVersionedNodeType {
		const type = this.types.get(nodeType);
		if (!type) throw new Error(`Unknown node type ${nodeType}`);
		return type;
	}

	getByNameAndVersion(nodeType: string, version?: number): INodeType {
		return NodeHelpers.getVersionedNodeType(this.getByName(nodeType), version);
	}

	/** Adds a node type from outside the package (n8n's own nodes, for comparisons). */
	add(name: string, type: INodeType | IVersionedNodeType): void {
		this.types.set(name, type);
	}

	getKnownTypes() {
		return {};
	}

	get names(): string[] {
		return [...this.types.keys()];
	}
}
