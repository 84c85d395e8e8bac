import type { FilterConditionValue, FilterOptionsValue, FilterValue, IDataObject } from 'n8n-workflow';
import { executeFilterCondition, isSafeObjectProperty } from 'n8n-workflow';

/** One condition value: read from the profile, or fixed. */
type ValueSource = (profile: IDataObject) => unknown;

export interface CompiledSegment {
	name: string;
	/** Native test of a merged profile; undefined when a condition needs n8n's expression engine. */
	test?: (profile: IDataObject) => boolean;
	/** Profile fields the conditions read, to warn when no profile has them. */
	fields: string[];
	/** Why the fast path was not possible. */
	fallbackReason?: string;
	/** n8n's own refusal of a condition ("Cannot access "constructor" due to security concerns"): the node fails with it. */
	refusal?: string;
}

// {{ $json.a.b }}, {{ $json["a b"] }}, {{ $json['a'] }}, with any spacing.
const FIELD_REFERENCE = /^=\s*\{\{\s*\$json((?:\.[A-Za-z_$][\w$]*|\[\s*(?:"[^"]*"|'[^']*')\s*\])+)\s*\}\}\s*$/;
const PATH_PART = /\.([A-Za-z_$][\w$]*)|\[\s*(?:"([^"]*)"|'([^']*)')\s*\]/g;

function fieldPath(expression: string): string[] | undefined {
	const match = FIELD_REFERENCE.exec(expression);
	if (!match) return undefined;
	const path: string[] = [];
	for (const part of match[1].matchAll(PATH_PART)) path.push(part[1] ?? part[2] ?? part[3]);
	return path;
}

/** n8n's own message when a field reference names what its expression engine refuses (prototype access). */
function refusal(raw: unknown): string | undefined {
	const unsafe = typeof raw === 'string' ? fieldPath(raw)?.find((key) => !isSafeObjectProperty(key)) : undefined;
	return unsafe === undefined ? undefined : `Cannot access "${unsafe}" due to security concerns`;
}

/** Own fields only, as in the data: "toString" is a field the profile has, or nothing. */
function readPath(profile: IDataObject, path: string[]): unknown {
	let value: unknown = profile;
	for (const key of path) {
		if (value === null || typeof value !== 'object' || !Object.hasOwn(value, key)) return undefined;
		value = (value as IDataObject)[key];
	}
	return value;
}

/** A fixed value, a plain field reference, or undefined when only n8n's expression engine can evaluate it. */
function compileValue(raw: unknown, fields: string[]): ValueSource | undefined {
	if (typeof raw !== 'string' || !raw.startsWith('=')) return () => raw;
	if (!raw.includes('{{')) {
		const literal = raw.slice(1);
		return () => literal;
	}
	const path = fieldPath(raw);
	if (!path) return undefined;
	fields.push(path[0]);
	return (profile) => readPath(profile, path);
}

/**
 * Compiles a segment's conditions once. Values are read natively from the merged profile and the
 * comparison is n8n's own (executeFilterCondition), so operators behave exactly as in the If and
 * Filter nodes while skipping the per-row expression engine.
 */
export function compileSegment(name: string, filter: FilterValue | undefined): CompiledSegment {
	const conditions = filter?.conditions ?? [];
	const fields: string[] = [];
	if (conditions.length === 0) return { name, test: () => true, fields };
	const options: FilterOptionsValue = {
		caseSensitive: filter?.options?.caseSensitive ?? true,
		leftValue: '',
		typeValidation: filter?.options?.typeValidation ?? 'strict',
		version: filter?.options?.version ?? 2,
	};
	const compiled: Array<{ condition: FilterConditionValue; left: ValueSource; right: ValueSource }> = [];
	for (const [index, condition] of conditions.entries()) {
		const refused = refusal(condition.leftValue) ?? refusal(condition.rightValue);
		if (refused) return { name, fields, refusal: refused };
		const left = compileValue(condition.leftValue, fields);
		const right = compileValue(condition.rightValue, fields);
		if (!left || !right) {
			return { name, fields, fallbackReason: `condition ${index + 1} uses an expression other than a plain field reference such as {{ $json.country }}` };
		}
		compiled.push({ condition, left, right });
	}
	const any = filter?.combinator === 'or';
	const test = (profile: IDataObject): boolean => {
		for (const { condition, left, right } of compiled) {
			const passed = executeFilterCondition(
				{ ...condition, leftValue: left(profile) as FilterConditionValue['leftValue'], rightValue: right(profile) as FilterConditionValue['rightValue'] },
				options,
			);
			if (passed === any) return any;
		}
		return !any;
	};
	return { name, test, fields };
}
