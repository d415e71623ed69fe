// Length and segments of an SMS: GSM-7 when every character is in the GSM
// 03.38 alphabet (160 characters in one message, 153 per part when split; the
// extension characters ^{}\[~]|€ count twice), otherwise UCS-2 (70, then 67
// per part, counted in UTF-16 units: an emoji counts two). WhatsApp has no
// segments, only a length limit.

const GSM_BASIC =
	'@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
const GSM_EXTENDED = '^{}\\[~]|€\f';
const basic = new Set(GSM_BASIC);
const extended = new Set(GSM_EXTENDED);

export const WHATSAPP_MAX = 4096;
export const SMS_MAX_SEGMENTS = 10;

export type SmsCount = {
	encoding: 'GSM-7' | 'UCS-2';
	/** Characters as the network counts them (septets for GSM-7, UTF-16 units for UCS-2). */
	length: number;
	segments: number;
	/** What one part holds with this encoding and this many parts. */
	perSegment: number;
	/** Characters left before another part is needed. */
	remaining: number;
	/** Characters that forced UCS-2 (shown so they can be replaced). */
	unicodeChars: string[];
};

export function countSms(text: string): SmsCount {
	let septets = 0;
	const unicode = new Set<string>();
	for (const ch of text) {
		if (basic.has(ch)) septets += 1;
		else if (extended.has(ch)) septets += 2;
		else unicode.add(ch);
	}
	if (unicode.size === 0) {
		const perSegment = septets <= 160 ? 160 : 153;
		const segments = septets === 0 ? 0 : Math.ceil(septets / perSegment);
		return {
			encoding: 'GSM-7',
			length: septets,
			segments,
			perSegment,
			remaining: Math.max(segments, 1) * perSegment - septets,
			unicodeChars: []
		};
	}
	const units = text.length;
	const perSegment = units <= 70 ? 70 : 67;
	const segments = Math.ceil(units / perSegment);
	return {
		encoding: 'UCS-2',
		length: units,
		segments,
		perSegment,
		remaining: segments * perSegment - units,
		unicodeChars: [...unicode].slice(0, 20)
	};
}

/** WhatsApp: characters used and left of the 4,096 a message may hold. */
export function countWhatsApp(text: string): { length: number; remaining: number } {
	const length = [...text].length;
	return { length, remaining: WHATSAPP_MAX - length };
}
