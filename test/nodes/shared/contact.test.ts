import { checkEmail, isValidEmail, normaliseEmail, textValue } from '../../../nodes/shared/contact';

describe('e-mail checks', () => {
	test.each(['a@example.com', 'first.last+tag@sub.example.co.uk', "o'brien@example.ie", 'x@xn--bcher-kva.example'])('accepts %s', (email) => {
		expect(isValidEmail(email)).toBe(true);
	});

	test.each(['plain', 'a@', '@example.com', 'a@@example.com', 'a b@example.com', 'a..b@example.com', '.a@example.com', 'a@localhost', 'a@example.c0m', 'a@-example.com', `${'x'.repeat(65)}@example.com`])(
		'refuses %s',
		(email) => {
			expect(isValidEmail(email)).toBe(false);
		},
	);

	test('normalises case and surrounding spaces only', () => {
		expect(normaliseEmail('  Ada.Lovelace@Example.COM ')).toBe('ada.lovelace@example.com');
		expect(normaliseEmail(42)).toBeUndefined();
		expect(normaliseEmail('   ')).toBeUndefined();
	});

	test('names the field and the problem', () => {
		expect(checkEmail(undefined, 'mail')).toEqual({ ok: false, reason: 'missing_email', message: 'Field "mail" is empty or missing' });
		expect(checkEmail({ a: 1 }, 'mail')).toEqual({ ok: false, reason: 'invalid_email', message: 'Field "mail" holds a object, not an e-mail address' });
		expect(checkEmail('nope', 'mail')).toEqual({ ok: false, reason: 'invalid_email', message: 'Field "mail" is not a valid e-mail address' });
		expect(checkEmail(' A@B.io ', 'mail')).toEqual({ ok: true, email: 'a@b.io' });
	});

	test('reads field values as text', () => {
		expect(textValue({ a: ' x ', b: 3, c: true, d: ['p', 'q'], e: { f: 1 }, g: '' }, 'a')).toBe('x');
		expect(textValue({ b: 3 }, 'b')).toBe('3');
		expect(textValue({ d: ['p', 'q'] }, 'd')).toBe('p, q');
		expect(textValue({ e: { f: 1 } }, 'e')).toBeUndefined();
		expect(textValue({ g: '' }, 'g')).toBeUndefined();
		expect(textValue({ a: 'x' }, '')).toBeUndefined();
	});
});
