import { fieldNameKey } from './mapping';

// ISO 3166-1 alpha-2 codes with English short names and common aliases ("|" separates names).
const TABLE =
	'AD:Andorra;AE:United Arab Emirates|UAE;AF:Afghanistan;AG:Antigua and Barbuda;AI:Anguilla;AL:Albania;AM:Armenia;AO:Angola;AQ:Antarctica;' +
	'AR:Argentina;AS:American Samoa;AT:Austria|Österreich;AU:Australia;AW:Aruba;AX:Åland Islands;AZ:Azerbaijan;BA:Bosnia and Herzegovina;' +
	'BB:Barbados;BD:Bangladesh;BE:Belgium|België|Belgique;BF:Burkina Faso;BG:Bulgaria;BH:Bahrain;BI:Burundi;BJ:Benin;BL:Saint Barthélemy;' +
	'BM:Bermuda;BN:Brunei|Brunei Darussalam;BO:Bolivia;BQ:Caribbean Netherlands|Bonaire;BR:Brazil|Brasil;BS:Bahamas;BT:Bhutan;BV:Bouvet Island;' +
	'BW:Botswana;BY:Belarus;BZ:Belize;CA:Canada;CC:Cocos Islands;CD:Democratic Republic of the Congo|DR Congo|Congo-Kinshasa;' +
	'CF:Central African Republic;CG:Republic of the Congo|Congo|Congo-Brazzaville;CH:Switzerland|Schweiz|Suisse;CI:Côte d\'Ivoire|Ivory Coast;' +
	'CK:Cook Islands;CL:Chile;CM:Cameroon;CN:China|People\'s Republic of China;CO:Colombia;CR:Costa Rica;CU:Cuba;CV:Cabo Verde|Cape Verde;' +
	'CW:Curaçao;CX:Christmas Island;CY:Cyprus;CZ:Czechia|Czech Republic;DE:Germany|Deutschland;DJ:Djibouti;DK:Denmark|Danmark;DM:Dominica;' +
	'DO:Dominican Republic;DZ:Algeria;EC:Ecuador;EE:Estonia;EG:Egypt;EH:Western Sahara;ER:Eritrea;ES:Spain|España;ET:Ethiopia;FI:Finland|Suomi;' +
	'FJ:Fiji;FK:Falkland Islands;FM:Micronesia;FO:Faroe Islands;FR:France;GA:Gabon;GB:United Kingdom|UK|Great Britain|Britain|England|Scotland|Wales|Northern Ireland;' +
	'GD:Grenada;GE:Georgia;GF:French Guiana;GG:Guernsey;GH:Ghana;GI:Gibraltar;GL:Greenland;GM:Gambia;GN:Guinea;GP:Guadeloupe;' +
	'GQ:Equatorial Guinea;GR:Greece|Hellas;GS:South Georgia and the South Sandwich Islands;GT:Guatemala;GU:Guam;GW:Guinea-Bissau;GY:Guyana;' +
	'HK:Hong Kong;HM:Heard Island and McDonald Islands;HN:Honduras;HR:Croatia|Hrvatska;HT:Haiti;HU:Hungary|Magyarország;ID:Indonesia;' +
	'IE:Ireland|Éire;IL:Israel;IM:Isle of Man;IN:India;IO:British Indian Ocean Territory;IQ:Iraq;IR:Iran;IS:Iceland|Ísland;IT:Italy|Italia;' +
	'JE:Jersey;JM:Jamaica;JO:Jordan;JP:Japan;KE:Kenya;KG:Kyrgyzstan;KH:Cambodia;KI:Kiribati;KM:Comoros;KN:Saint Kitts and Nevis;' +
	'KP:North Korea;KR:South Korea|Korea|Republic of Korea;KW:Kuwait;KY:Cayman Islands;KZ:Kazakhstan;LA:Laos;LB:Lebanon;LC:Saint Lucia;' +
	'LI:Liechtenstein;LK:Sri Lanka;LR:Liberia;LS:Lesotho;LT:Lithuania;LU:Luxembourg;LV:Latvia;LY:Libya;MA:Morocco;MC:Monaco;MD:Moldova;' +
	'ME:Montenegro;MF:Saint Martin;MG:Madagascar;MH:Marshall Islands;MK:North Macedonia|Macedonia;ML:Mali;MM:Myanmar|Burma;MN:Mongolia;' +
	'MO:Macao|Macau;MP:Northern Mariana Islands;MQ:Martinique;MR:Mauritania;MS:Montserrat;MT:Malta;MU:Mauritius;MV:Maldives;MW:Malawi;' +
	'MX:Mexico|México;MY:Malaysia;MZ:Mozambique;NA:Namibia;NC:New Caledonia;NE:Niger;NF:Norfolk Island;NG:Nigeria;NI:Nicaragua;' +
	'NL:Netherlands|Holland|Nederland|The Netherlands;NO:Norway|Norge;NP:Nepal;NR:Nauru;NU:Niue;NZ:New Zealand|Aotearoa;OM:Oman;PA:Panama;' +
	'PE:Peru;PF:French Polynesia;PG:Papua New Guinea;PH:Philippines;PK:Pakistan;PL:Poland|Polska;PM:Saint Pierre and Miquelon;PN:Pitcairn;' +
	'PR:Puerto Rico;PS:Palestine;PT:Portugal;PW:Palau;PY:Paraguay;QA:Qatar;RE:Réunion;RO:Romania;RS:Serbia;RU:Russia|Russian Federation;' +
	'RW:Rwanda;SA:Saudi Arabia;SB:Solomon Islands;SC:Seychelles;SD:Sudan;SE:Sweden|Sverige;SG:Singapore;SH:Saint Helena;SI:Slovenia;' +
	'SJ:Svalbard and Jan Mayen;SK:Slovakia;SL:Sierra Leone;SM:San Marino;SN:Senegal;SO:Somalia;SR:Suriname;SS:South Sudan;' +
	'ST:São Tomé and Príncipe;SV:El Salvador;SX:Sint Maarten;SY:Syria;SZ:Eswatini|Swaziland;TC:Turks and Caicos Islands;TD:Chad;' +
	'TF:French Southern Territories;TG:Togo;TH:Thailand;TJ:Tajikistan;TK:Tokelau;TL:Timor-Leste|East Timor;TM:Turkmenistan;TN:Tunisia;' +
	'TO:Tonga;TR:Türkiye|Turkey;TT:Trinidad and Tobago;TV:Tuvalu;TW:Taiwan;TZ:Tanzania;UA:Ukraine;UG:Uganda;UM:United States Minor Outlying Islands;' +
	'US:United States|United States of America|USA|U.S.A.|U.S.|America;UY:Uruguay;UZ:Uzbekistan;VA:Vatican City|Holy See;' +
	'VC:Saint Vincent and the Grenadines;VE:Venezuela;VG:British Virgin Islands;VI:U.S. Virgin Islands;VN:Vietnam|Viet Nam;VU:Vanuatu;' +
	'WF:Wallis and Futuna;WS:Samoa;YE:Yemen;YT:Mayotte;ZA:South Africa;ZM:Zambia;ZW:Zimbabwe';

const CODES = new Set<string>();
const BY_NAME = new Map<string, string>();
for (const entry of TABLE.split(';')) {
	const [code, names] = entry.split(':');
	CODES.add(code);
	for (const name of names.split('|')) BY_NAME.set(fieldNameKey(name.normalize('NFD').replace(/[\u0300-\u036f]/g, '')), code);
}

/** The ISO 3166-1 alpha-2 code for a country name or code ("Germany", "de", "USA"), if known. */
export function countryCode(value: string | undefined): string | undefined {
	if (!value) return undefined;
	const trimmed = value.trim();
	if (/^[A-Za-z]{2}$/.test(trimmed) && CODES.has(trimmed.toUpperCase())) return trimmed.toUpperCase();
	return BY_NAME.get(fieldNameKey(trimmed.normalize('NFD').replace(/[\u0300-\u036f]/g, '')));
}
