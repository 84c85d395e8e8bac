import type { IDataObject } from 'n8n-workflow';

/** Why a contact was not exported. Stable: saved workflows route on these values. */
export type RejectionReason =
	| 'missing_email'
	| 'invalid_email'
	| 'duplicate'
	| 'rejected_by_destination'
	| 'unsubscribed'
	| 'field_too_long'
	| 'not_sent'
	/** Sent, but the service's answer was lost or unreadable: it may be at the destination; re-running is safe. */
	| 'unconfirmed';

// RFC 5321 limits: 64 octets before the @, 254 for the whole path.
const MAX_EMAIL_LENGTH = 254;
const MAX_LOCAL_PART_LENGTH = 64;
const LOCAL_PART = /^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const DOMAIN_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const TOP_LEVEL_DOMAIN = /^(xn--[a-z0-9-]+|[a-z]{2,63})$/;

const NON_ASCII = /[^\x00-\x7f]/;
// Characters that would make URL read part of the domain as a path, port, query or credentials.
const NOT_IN_DOMAIN = /[\s/\\?#@:%[\]]/;

/**
 * An internationalised domain in ASCII ("münchen.de" → "xn--mnchen-3ya.de"), by the IDNA processing
 * browsers apply (the URL parser); an ASCII domain as it is; undefined when it cannot be a host name.
 */
export function asciiDomain(domain: string): string | undefined {
	if (!NON_ASCII.test(domain)) return domain;
	if (NOT_IN_DOMAIN.test(domain)) return undefined;
	try {
		return new URL(`http://${domain}`).hostname;
	} catch {
		return undefined;
	}
}

/** Lower-cases and trims an e-mail address; anything that is not a non-empty string gives undefined. */
export function normaliseEmail(raw: unknown): string | undefined {
	if (typeof raw !== 'string') return undefined;
	const email = raw.trim().toLowerCase();
	return email === '' ? undefined : email;
}

/**
 * Checks a normalised address the way the services do in practice: a dot-atom local part and a
 * domain of at least two labels with an alphabetic top-level domain. Quoted local parts and IP
 * literals are accepted by RFC 5322 but refused by every destination we export to.
 */
export function isValidEmail(email: string): boolean {
	if (email.length > MAX_EMAIL_LENGTH) return false;
	const at = email.lastIndexOf('@');
	if (at <= 0 || at > MAX_LOCAL_PART_LENGTH) return false;
	if (!LOCAL_PART.test(email.slice(0, at))) return false;
	const labels = email.slice(at + 1).split('.');
	if (labels.length < 2) return false;
	if (!TOP_LEVEL_DOMAIN.test(labels[labels.length - 1])) return false;
	return labels.every((label) => DOMAIN_LABEL.test(label));
}

export type EmailCheck =
	| { ok: true; email: string }
	| { ok: false; reason: 'missing_email' | 'invalid_email'; message: string };

/** Normalises and validates the value found in `field`; the message names the field, never the value's owner. */
export function checkEmail(raw: unknown, field: string): EmailCheck {
	if (raw === undefined || raw === null || (typeof raw === 'string' && raw.trim() === '')) {
		return { ok: false, reason: 'missing_email', message: `Field "${field}" is empty or missing` };
	}
	const email = normaliseEmail(raw);
	if (email === undefined) {
		return {
			ok: false,
			reason: 'invalid_email',
			message: `Field "${field}" holds a ${Array.isArray(raw) ? 'list' : typeof raw}, not an e-mail address`,
		};
	}
	let address = email;
	if (NON_ASCII.test(email)) {
		// International domains are compared and sent in punycode, so both spellings are one contact.
		const at = email.lastIndexOf('@');
		if (at > 0 && NON_ASCII.test(email.slice(0, at))) {
			return { ok: false, reason: 'invalid_email', message: `Field "${field}" has non-ASCII characters before the @, which the services we export to do not accept` };
		}
		const domain = at > 0 ? asciiDomain(email.slice(at + 1)) : undefined;
		if (domain !== undefined) address = `${email.slice(0, at + 1)}${domain}`;
	}
	if (!isValidEmail(address)) {
		return { ok: false, reason: 'invalid_email', message: `Field "${field}" is not a valid e-mail address` };
	}
	return { ok: true, email: address };
}

/** Reads a field as trimmed text; numbers and booleans are written out, objects are ignored. */
export function textValue(record: IDataObject, field: string | undefined): string | undefined {
	if (!field) return undefined;
	const value = record[field];
	if (value === undefined || value === null) return undefined;
	if (typeof value === 'string') {
		const text = value.trim();
		return text === '' ? undefined : text;
	}
	if (typeof value === 'number' || typeof value === 'boolean') return String(value);
	if (Array.isArray(value)) {
		const parts = value.filter((part) => typeof part === 'string' || typeof part === 'number');
		return parts.length ? parts.join(', ') : undefined;
	}
	return undefined;
}
