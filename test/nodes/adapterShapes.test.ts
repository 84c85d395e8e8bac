import type { IExecuteFunctions, INode } from 'n8n-workflow';

import { ActiveCampaignAdapter } from '../../nodes/ActiveCampaign/adapter';
import { normaliseAccountUrl } from '../../nodes/ActiveCampaign/transport';
import { CONSTANT_CONTACT_FIELDS, ConstantContactAdapter } from '../../nodes/ConstantContact/adapter';
import { OmnisendAdapter, OMNISEND_FIELDS } from '../../nodes/Omnisend/adapter';
import type { DestinationRequest, SerializeContext } from '../../nodes/shared/adapter';
import { countryCode } from '../../nodes/shared/countries';
import { importSchema as acImportSchema } from '../sandbox/activeCampaign';
import { importSchema as ccImportSchema } from '../sandbox/constantContact';
import { batchSchema as omnisendBatchSchema, contactSchema as omnisendContactSchema } from '../sandbox/omnisend';

const context = { getNode: () => ({ name: 'Export' }) as INode } as unknown as IExecuteFunctions;
const fit: SerializeContext = { fit: (_field, value) => value, fitItems: (_field, values) => values, omit: () => {} };
const defaults = (fields: Array<{ key: string; defaultSource: string }>) => Object.fromEntries(fields.map((f) => [f.key, f.defaultSource]));
const member = {
	email: 'Ada@Example.com',
	firstName: 'Ada',
	lastName: 'Lovelace',
	phone: '+441234567',
	address: '12 St James Sq',
	city: 'London',
	state: '',
	postalCode: 'SW1Y 4JH',
	country: 'United Kingdom',
	segments: ['VIP', 'Newsletter'],
	loyaltyTier: 'gold',
};

function answer(body: unknown) {
	return async (_request: DestinationRequest) => ({ statusCode: 200, headers: {}, body });
}

describe('request bodies match the documented shapes (validated with the sandbox schemas)', () => {
	test('Constant Contact contacts_json_import', async () => {
		const adapter = new ConstantContactAdapter(context, 'https://api.cc.email/v3', {
			listIds: ['6f1c2a10-0000-4000-8000-000000000001'],
			emailField: 'email',
			fieldMap: defaults(CONSTANT_CONTACT_FIELDS),
			customFields: [],
			autoMapCustomFields: true,
		});
		await adapter.prepare(async (request) =>
			request.path === '/contact_lists'
				? { statusCode: 200, headers: {}, body: { lists: [{ list_id: '6f1c2a10-0000-4000-8000-000000000001', name: 'N' }] } }
				: { statusCode: 200, headers: {}, body: { custom_fields: [{ custom_field_id: 'x', label: 'Loyalty Tier', name: 'loyalty_tier', type: 'string' }] } },
		);
		const wire = adapter.serialize(member, 'ada@example.com', fit);
		expect(wire).toEqual({ email: 'ada@example.com', first_name: 'Ada', last_name: 'Lovelace', phone: '+441234567', street: '12 St James Sq', city: 'London', zip: 'SW1Y 4JH', country: 'United Kingdom', 'cf:loyalty_tier': 'gold' });
		const request = adapter.buildBatchRequest(JSON.stringify(wire));
		expect(request).toMatchObject({ method: 'POST', path: '/activities/contacts_json_import' });
		expect(ccImportSchema.safeParse(JSON.parse(request.body!)).success).toBe(true);
		expect(adapter.fatalMessage({ statusCode: 429, headers: {}, body: { error_key: 'quota_exceeded' } })).toMatch(/daily request quota/);
		expect(adapter.interpretBatchResponse({ statusCode: 429, headers: {}, body: { error_key: 'throttled' } })).toBeUndefined();
		expect(adapter.interpretBatchResponse({ statusCode: 201, headers: {}, body: { activity_id: 'a1', state: 'initialized' } })).toEqual({ kind: 'job', jobId: 'a1' });
	});

	test('ActiveCampaign bulk_import', async () => {
		const adapter = new ActiveCampaignAdapter(context, 'https://acct.api-us1.com/api/3', {
			listIds: [1, 3],
			emailField: 'email',
			fieldMap: { first_name: 'firstName', last_name: 'lastName', phone: 'phone' },
			customFields: [{ key: '7', sourceField: 'segments' }],
			autoMapCustomFields: true,
			tagWithSegments: true,
			tags: ['n8n'],
			excludeAutomations: true,
		});
		await adapter.prepare(async (request) =>
			request.path === '/lists'
				? { statusCode: 200, headers: {}, body: { lists: [{ id: '1', name: 'A' }, { id: '3', name: 'B' }], meta: { total: '2' } } }
				: { statusCode: 200, headers: {}, body: { fields: [{ id: '2', title: 'City', perstag: 'CITY', type: 'text' }, { id: '7', title: 'Interests', perstag: 'INTERESTS', type: 'checkbox' }], meta: { total: '2' } } },
		);
		const wire = adapter.serialize(member, 'ada@example.com');
		expect(wire).toEqual({
			email: 'ada@example.com',
			first_name: 'Ada',
			last_name: 'Lovelace',
			phone: '+441234567',
			tags: ['n8n', 'VIP', 'Newsletter'],
			fields: [{ id: 7, value: '||VIP||Newsletter||' }, { id: 2, value: 'London' }],
			subscribe: [{ listid: 1 }, { listid: 3 }],
			exclude_automations: true,
		});
		const body = JSON.parse(adapter.buildBatchRequest(JSON.stringify(wire)).body!);
		expect(body.exclude_automations).toBe(true);
		expect(acImportSchema.safeParse(body).success).toBe(true);
		expect(adapter.interpretBatchResponse({ statusCode: 200, headers: {}, body: { success: 1, queued_contacts: 1, batchId: 'b1' } }, ['ada@example.com'])).toEqual({ kind: 'job', jobId: 'b1' });
	});

	test('Omnisend POST /batches: by default no channel status and no welcome message', async () => {
		const adapter = new OmnisendAdapter(context, 'https://api.omnisend.com/api', {
			emailField: 'email',
			fieldMap: defaults(OMNISEND_FIELDS),
			status: 'none',
			updateExistingStatus: false,
			sendWelcomeMessage: false,
			tagWithSegments: true,
			tags: [],
			customProperties: [{ name: 'loyaltyTier', sourceField: 'loyaltyTier' }],
		});
		await adapter.prepare(answer({ brandID: 'b' }));
		const wire = adapter.serialize(member, 'ada@example.com', fit);
		expect(wire).toEqual({
			identifiers: [{ type: 'email', id: 'ada@example.com', sendWelcomeMessage: false }],
			firstName: 'Ada',
			lastName: 'Lovelace',
			address: '12 St James Sq',
			city: 'London',
			postalCode: 'SW1Y 4JH',
			country: 'United Kingdom',
			countryCode: 'GB',
			tags: ['VIP', 'Newsletter'],
			customProperties: { loyaltyTier: 'gold' },
		});
		expect(omnisendContactSchema.safeParse(wire).success).toBe(true);
		const body = JSON.parse(adapter.buildBatchRequest(JSON.stringify(wire)).body!);
		expect(body).toMatchObject({ method: 'POST', endpoint: 'contacts' });
		expect(omnisendBatchSchema.safeParse(body).success).toBe(true);
	});

	test('Omnisend with a status chosen: statusChangedAt, the field of this API version', async () => {
		const adapter = new OmnisendAdapter(context, 'https://api.omnisend.com/api', {
			emailField: 'email',
			fieldMap: {},
			status: 'subscribed',
			updateExistingStatus: true,
			sendWelcomeMessage: true,
			tagWithSegments: false,
			tags: [],
			customProperties: [],
		});
		const wire = adapter.serialize(member, 'ada@example.com', fit) as { identifiers: Array<{ channels: { email: { status: string; statusChangedAt: string } }; sendWelcomeMessage: boolean }> };
		expect(wire.identifiers[0]).toMatchObject({ sendWelcomeMessage: true, channels: { email: { status: 'subscribed' } } });
		expect(wire.identifiers[0].channels.email.statusChangedAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
		expect(omnisendContactSchema.safeParse(wire).success).toBe(true);
	});
});

describe('helpers', () => {
	test('ActiveCampaign account URLs: host name alone or full URL', () => {
		expect(normaliseAccountUrl('youraccount.api-us1.com')).toBe('https://youraccount.api-us1.com');
		expect(normaliseAccountUrl(' https://youraccount.api-us1.com/ ')).toBe('https://youraccount.api-us1.com');
		expect(normaliseAccountUrl('https://youraccount.api-us1.com/api/3')).toBe('https://youraccount.api-us1.com');
		expect(normaliseAccountUrl('http://127.0.0.1:5680/ac')).toBe('http://127.0.0.1:5680/ac');
	});

	test('country names and codes to ISO 3166-1 alpha-2', () => {
		expect(countryCode('Germany')).toBe('DE');
		expect(countryCode('deutschland')).toBe('DE');
		expect(countryCode('USA')).toBe('US');
		expect(countryCode('United States')).toBe('US');
		expect(countryCode('gb')).toBe('GB');
		expect(countryCode("Côte d'Ivoire")).toBe('CI');
		expect(countryCode('Atlantis')).toBeUndefined();
	});
});
