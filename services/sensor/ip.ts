/**
 * IP address text <-> bytes. IPv6 text follows RFC 5952 (lower case, longest
 * run of two or more zero groups as "::", leftmost on a tie), so that the same
 * address always has the same text whichever input it came from.
 */
/** "0".."255", so that formatting an address (once per captured packet) converts no numbers. */
const OCTET: readonly string[] = Array.from({ length: 256 }, (_, i) => String(i));
const octet = (b: Uint8Array, i: number): string => OCTET[b[i] ?? 0] ?? '0';

export function formatIpv4(b: Uint8Array, at = 0): string {
  return `${octet(b, at)}.${octet(b, at + 1)}.${octet(b, at + 2)}.${octet(b, at + 3)}`;
}

export function formatIpv6(b: Uint8Array, at = 0): string {
  const groups: number[] = [];
  for (let i = 0; i < 8; i++) groups.push(((b[at + 2 * i] ?? 0) << 8) | (b[at + 2 * i + 1] ?? 0));
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (from: number, to: number): string => groups.slice(from, to).map((g) => g.toString(16)).join(':');
  if (bestStart < 0) return hex(0, 8);
  return `${hex(0, bestStart)}::${hex(bestStart + bestLen, 8)}`;
}

export function formatIp(bytes: Uint8Array): string {
  return bytes.length === 4 ? formatIpv4(bytes) : formatIpv6(bytes);
}

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/** Parses IPv4 dotted quad or IPv6 text (with "::" and an embedded IPv4 tail); undefined if neither. */
export function parseIp(text: string): Uint8Array | undefined {
  const m = IPV4.exec(text);
  if (m !== null) {
    const out = new Uint8Array(4);
    for (let i = 0; i < 4; i++) {
      const n = Number(m[i + 1]);
      if (n > 255) return undefined;
      out[i] = n;
    }
    return out;
  }
  return text.includes(':') ? parseIpv6(text) : undefined;
}

function parseIpv6(text: string): Uint8Array | undefined {
  const zone = text.indexOf('%');
  const addr = zone >= 0 ? text.slice(0, zone) : text;
  const halves = addr.split('::');
  if (halves.length > 2) return undefined;
  const groups = (s: string): number[] | undefined => {
    if (s === '') return [];
    const out: number[] = [];
    const parts = s.split(':');
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i] ?? '';
      if (i === parts.length - 1 && p.includes('.')) {
        const v4 = parseIp(p);
        if (v4?.length !== 4) return undefined;
        out.push(((v4[0] ?? 0) << 8) | (v4[1] ?? 0), ((v4[2] ?? 0) << 8) | (v4[3] ?? 0));
      } else {
        if (!/^[0-9a-fA-F]{1,4}$/.test(p)) return undefined;
        out.push(parseInt(p, 16));
      }
    }
    return out;
  };
  const head = groups(halves[0] ?? '');
  const tail = halves.length === 2 ? groups(halves[1] ?? '') : [];
  if (head === undefined || tail === undefined) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const all = [...head, ...Array<number>(halves.length === 2 ? missing : 0).fill(0), ...tail];
  const out = new Uint8Array(16);
  all.forEach((g, i) => {
    out[2 * i] = g >> 8;
    out[2 * i + 1] = g & 255;
  });
  return out;
}

/** The canonical text of an address given as text, or undefined if it is not an address. */
export function canonicalIp(text: string): string | undefined {
  const v4 = isPlainIpv4(text);
  if (v4 === true) return text;
  if (v4 === false) return undefined;
  const b = parseIp(text);
  return b === undefined ? undefined : formatIp(b);
}

/**
 * The hot path of every log input: true for a dotted quad already in
 * canonical form (no leading zeros), false for one with an octet > 255,
 * undefined for anything else (IPv6, leading zeros: the slow path decides).
 */
function isPlainIpv4(t: string): boolean | undefined {
  let dots = 0;
  let octet = 0;
  let digits = 0;
  for (let i = 0; i < t.length; i++) {
    const c = t.charCodeAt(i);
    if (c === 46) {
      if (digits === 0 || ++dots > 3) return undefined;
      octet = 0;
      digits = 0;
    } else if (c >= 48 && c <= 57) {
      if (digits > 0 && octet === 0) return undefined;
      octet = octet * 10 + c - 48;
      if (++digits > 3) return undefined;
      if (octet > 255) return false;
    } else return undefined;
  }
  return dots === 3 && digits > 0 ? true : undefined;
}
