import type { IExecuteFunctions, INode } from 'n8n-workflow';

import { CampaignMonitorAdapter, type CampaignMonitorMapping, e164 } from '../../../nodes/CampaignMonitor/adapter';
import type { DestinationRequest, SerializeContext } from '../../../nodes/shared/adapter';
import { StopFailure, UnconfirmedFailure } from '../../../nodes/shared/engine/errors';

const mapping: CampaignMonitorMapping = {
	emailField: 'email',
	nameSource: 'firstLast',
	nameField: 'name',
	firstNameField: 'firstName',
	lastNameField: 'lastName',
	mobileNumberField: 'phone',
	customFields: [],
	autoMapCustomFields: true,
	consentToTrack: 'unchanged',
	consentToSendSms: 'Unchanged',
	resubscribe: false,
};
const context = { getNode: () => ({ name: 'Export' }) as INode } as unknown as IExecuteFunctions;
const fit: SerializeContext = { fit: (_field, value) => value, fitItems: (_field, values) => values, omit: () => {} };
const customFields = [
	{ FieldName: 'City', Key: '[City]', DataType: 'Text' },
	{ FieldName: 'Interests', Key: '[Interests]', DataType: 'MultiSelectMany' },
];
const discovery = async (request: DestinationRequest) => ({
	statusCode: 200,
	headers: {},
	body: request.path.endsWith('customfields.json') ? customFields : { ListID: 'list-1' },
});

async function adapter(overrides: Partial<CampaignMonitorMapping> = {}) {
	const instance = new CampaignMonitorAdapter(context, 'https://api.createsend.com/api/v3.3', 'list-1', { ...mapping, ...overrides });
	await instance.prepare(discovery);
	return instance;
}

describe('Campaign Monitor request shapes', () => {
	test.each([
		['+61 400 000 000', '+61400000000'],
		['0044 (20) 7946-0958', '+442079460958'],
		['+1.555.010.0199', '+15550100199'],
		['0400 000 000', undefined],
		['+0123456', undefined],
		['+1234567890123456', undefined],
		['call me', undefined],
	])('E.164: %s → %s', (raw, expected) => {
		expect(e164(raw)).toBe(expected);
	});

	test('an import body has the documented fields and nothing else', async () => {
		const cm = await adapter({ resubscribe: true });
		const wire = cm.serialize({ email: 'A@x.io', firstName: 'Ada', lastName: 'L', phone: '+4412', city: 'Paris', interests: ['golf', 'tea'], other: 'x' }, 'a@x.io', fit);
		const request = cm.buildBatchRequest(JSON.stringify(wire));
		expect(request).toMatchObject({ method: 'POST', path: '/subscribers/list-1/import.json' });
		expect(JSON.parse(request.body!)).toEqual({
			Subscribers: [
				{
					EmailAddress: 'a@x.io',
					Name: 'Ada L',
					MobileNumber: '+4412',
					ConsentToSendSms: 'Unchanged',
					ConsentToTrack: 'unchanged',
					CustomFields: [
						{ Key: '[City]', Value: 'Paris' },
						{ Key: '[Interests]', Value: 'golf' },
						{ Key: '[Interests]', Value: 'tea' },
					],
				},
			],
			Resubscribe: true,
			QueueSubscriptionBasedAutoResponders: false,
			RestartSubscriptionBasedAutoresponders: false,
		});
	});

	test('no name and no mobile number: both are left out, never sent empty', async () => {
		const cm = await adapter({ nameSource: 'none' });
		expect(cm.serialize({ email: 'b@x.io', phone: '' }, 'b@x.io', fit)).toEqual({ EmailAddress: 'b@x.io', CustomFields: [], ConsentToTrack: 'unchanged' });
	});

	test('reads a 201, a 400 code 210, and leaves throttling and outages to the engine', async () => {
		const cm = await adapter();
		const emails = ['a@x.io', 'b@x.io'];
		expect(cm.interpretBatchResponse({ statusCode: 201, headers: {}, body: { TotalUniqueEmailsSubmitted: 2, TotalNewSubscribers: 1, TotalExistingSubscribers: 1, FailureDetails: [] } }, emails)).toEqual({ kind: 'done', created: 1, updated: 1, failures: [] });
		expect(
			cm.interpretBatchResponse(
				{ statusCode: 400, headers: {}, body: { Code: 210, ResultData: { TotalUniqueEmailsSubmitted: 2, TotalNewSubscribers: 1, TotalExistingSubscribers: 0, FailureDetails: [{ EmailAddress: 'B@X.io', Code: 1, Message: 'Invalid Email Address' }] } } },
				emails,
			),
		).toEqual({ kind: 'done', created: 1, updated: 0, failures: [{ position: 1, reason: 'rejected_by_destination', message: 'Campaign Monitor: Invalid Email Address (code 1)' }] });
		expect(() => cm.interpretBatchResponse({ statusCode: 400, headers: {}, body: { Code: 1, Message: 'Bad' } }, emails)).toThrow(new StopFailure('Campaign Monitor refused the import (code 1: Bad)'));
		expect(() => cm.interpretBatchResponse({ statusCode: 400, headers: {}, body: '<html><body>Bad Request</body></html>' }, emails)).toThrow('Campaign Monitor refused the import (an HTML page)');
		expect(() => cm.interpretBatchResponse({ statusCode: 401, headers: {}, body: { Code: 100, Message: 'Invalid API key' } }, emails)).toThrow(StopFailure);
		for (const body of [{}, [], null, 'OK', { TotalNewSubscribers: 2 }]) {
			expect(() => cm.interpretBatchResponse({ statusCode: 201, headers: {}, body }, emails)).toThrow(UnconfirmedFailure);
		}
		expect(cm.interpretBatchResponse({ statusCode: 429, headers: {}, body: {} }, emails)).toBeUndefined();
		expect(cm.interpretBatchResponse({ statusCode: 502, headers: {}, body: {} }, emails)).toBeUndefined();
	});
});
