import type {
	ICredentialDataDecryptedObject,
	ICredentials,
	ICredentialType,
	IHttpRequestHelper,
	IHttpRequestOptions,
	INode,
	INodeCredentialsDetails,
	INodeProperties,
	IRequestOptionsSimplified,
	Workflow,
} from 'n8n-workflow';
import { ICredentialsHelper } from 'n8n-workflow';

/**
 * Credentials as n8n applies them, for in-process runs: decrypted data by credential type, generic
 * `authenticate` definitions resolved with n8n's expression engine, OAuth2 types reported with their
 * parent so n8n-core takes its OAuth2 path (and its token refresh), refreshed tokens stored back.
 */
export class TestCredentialsHelper extends ICredentialsHelper {
	private readonly data = new Map<string, ICredentialDataDecryptedObject>();

	/** Every OAuth2 token update n8n asked to store, oldest first. */
	readonly tokenUpdates: ICredentialDataDecryptedObject[] = [];

	constructor(private readonly types: Map<string, ICredentialType>) {
		super();
	}

	set(type: string, data: ICredentialDataDecryptedObject): void {
		this.data.set(type, { ...data });
	}

	get(type: string): ICredentialDataDecryptedObject | undefined {
		return this.data.get(type);
	}

	getParentTypes(name: string): string[] {
		const type = this.types.get(name);
		const parents = type?.extends ?? [];
		return parents.flatMap((parent) => [parent, ...this.getParentTypes(parent)]);
	}

	isCredentialUsableByNode(): boolean {
		return true;
	}

	getCredentialsProperties(type: string): INodeProperties[] {
		return this.types.get(type)?.properties ?? [];
	}

	async getDecrypted(_additionalData: unknown, _nodeCredentials: INodeCredentialsDetails, type: string): Promise<ICredentialDataDecryptedObject> {
		const data = this.data.get(type);
		if (!data) throw new Error(`No test credentials of type ${type}`);
		// n8n fills defaults for properties the user left unset.
		const filled: ICredentialDataDecryptedObject = {};
		for (const property of this.getCredentialsProperties(type)) {
			if (property.default !== undefined && property.type !== 'hidden') filled[property.name] = property.default as string;
		}
		return { ...filled, ...data };
	}

	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		requestOptions: IHttpRequestOptions | IRequestOptionsSimplified,
		workflow?: Workflow,
		node?: INode,
	): Promise<IHttpRequestOptions> {
		const type = this.types.get(typeName);
		const options = requestOptions as IHttpRequestOptions;
		const definition = type?.authenticate;
		if (!definition) return options;
		if (typeof definition === 'function') return await definition(credentials, options);
		const resolve = (value: unknown): unknown => {
			if (typeof value !== 'string' || !value.startsWith('=')) return value;
			return workflow!.expression.getSimpleParameterValue(node!, value, 'internal', { $credentials: credentials }, undefined, '');
		};
		const { headers, qs, body, auth } = definition.properties as Record<string, Record<string, unknown> | undefined>;
		if (headers) {
			options.headers = { ...options.headers };
			for (const [key, value] of Object.entries(headers)) options.headers[key] = resolve(value) as string;
		}
		if (qs) {
			options.qs = { ...options.qs };
			for (const [key, value] of Object.entries(qs)) options.qs[key] = resolve(value) as string;
		}
		if (body && typeof options.body === 'object') {
			for (const [key, value] of Object.entries(body)) (options.body as Record<string, unknown>)[key] = resolve(value);
		}
		if (auth) {
			options.auth = { username: resolve(auth.username) as string, password: resolve(auth.password) as string };
		}
		return options;
	}

	async preAuthentication(
		_helpers: IHttpRequestHelper,
		_credentials: ICredentialDataDecryptedObject,
		_typeName: string,
		_node: INode,
		_credentialsExpired: boolean,
	): Promise<ICredentialDataDecryptedObject | undefined> {
		return undefined;
	}

	async runPreAuthentication(): Promise<ICredentialDataDecryptedObject | undefined> {
		return undefined;
	}

	async getCredentials(): Promise<ICredentials> {
		throw new Error('getCredentials is not used in tests');
	}

	async updateCredentials(_nodeCredentials: INodeCredentialsDetails, type: string, data: ICredentialDataDecryptedObject): Promise<void> {
		this.data.set(type, { ...data });
	}

	async updateCredentialsOauthTokenData(_nodeCredentials: INodeCredentialsDetails, type: string, data: ICredentialDataDecryptedObject): Promise<void> {
		this.tokenUpdates.push(data);
		this.data.set(type, { ...this.data.get(type), ...data });
	}
}
