import type { IDataObject } from 'n8n-workflow';

// Profiles are data: a field may be called "constructor", "toString" or "__proto__". Reads see only
// the profile's own fields (never what every object inherits), writes always make an own field.

/** The profile's own value of `key`; undefined when the profile has no such field of its own. */
export function ownValue(record: IDataObject, key: string): unknown {
	return Object.hasOwn(record, key) ? record[key] : undefined;
}

/** Sets `key` as an own field whatever its name ("__proto__" would otherwise set the prototype and be lost). */
export function setField(record: IDataObject, key: string, value: unknown): void {
	if (key === '__proto__') Object.defineProperty(record, key, { value, enumerable: true, writable: true, configurable: true });
	else record[key] = value as IDataObject[string];
}
