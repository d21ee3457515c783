/**
 * IP address and CIDR parsing for access rules and rate-limit buckets: validates, canonicalises
 * (host bits cleared, IPv6 compressed) and unwraps IPv4-mapped IPv6 so `::ffff:10.0.0.1` and
 * `10.0.0.1` are one address.
 */
import { isIP } from 'node:net';

export type IpFamily = 'ipv4' | 'ipv6';

export interface Cidr {
  /** The network address, canonical: `10.0.0.0`, `2001:db8::`. */
  network: string;
  prefix: number;
  family: IpFamily;
}

const MAPPED_IPV4 = /^::ffff:(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})$/i;

/** The address in canonical form with its family, or undefined when it is not an IP address. */
export function parseIp(text: string): { address: string; family: IpFamily } | undefined {
  // Zone ids (`fe80::1%eth0`) name an interface of this host: meaningless in a rule.
  if (text.includes('%')) return undefined;
  const mapped = MAPPED_IPV4.exec(text);
  const candidate = mapped ? mapped[1]! : text;
  const version = isIP(candidate);
  if (version === 4) return { address: candidate, family: 'ipv4' };
  if (version === 6) return { address: formatIpv6(parseIpv6(candidate)), family: 'ipv6' };
  return undefined;
}

/** Parses `a.b.c.d/n`, `x::y/n` or a bare address (a host rule); undefined when invalid. */
export function parseCidr(text: string): Cidr | undefined {
  const trimmed = text.trim();
  const slash = trimmed.indexOf('/');
  const ip = parseIp(slash === -1 ? trimmed : trimmed.slice(0, slash));
  if (!ip) return undefined;
  const bits = ip.family === 'ipv4' ? 32 : 128;
  let prefix = bits;
  if (slash !== -1) {
    const prefixText = trimmed.slice(slash + 1);
    if (!/^\d{1,3}$/.test(prefixText)) return undefined;
    prefix = Number(prefixText);
    if (prefix > bits) return undefined;
  }
  const value = ip.family === 'ipv4' ? parseIpv4(ip.address) : parseIpv6(ip.address);
  const mask = prefix === 0 ? 0n : ((1n << BigInt(prefix)) - 1n) << BigInt(bits - prefix);
  const network = value & mask;
  return { network: ip.family === 'ipv4' ? formatIpv4(network) : formatIpv6(network), prefix, family: ip.family };
}

export function formatCidr(cidr: Cidr): string {
  return `${cidr.network}/${cidr.prefix}`;
}

/**
 * The address a rate-limit bucket is keyed on: an IPv4 address as is, an IPv6 address by its /64,
 * because one subscriber usually holds a whole /64 and could otherwise rotate through 2^64 buckets.
 */
export function bucketAddress(text: string): string {
  const ip = parseIp(text);
  if (!ip) return text;
  if (ip.family === 'ipv4') return ip.address;
  return formatCidr(parseCidr(`${ip.address}/64`)!);
}

function parseIpv4(address: string): bigint {
  return address.split('.').reduce((acc, octet) => (acc << 8n) | BigInt(Number(octet)), 0n);
}

function formatIpv4(value: bigint): string {
  return [24n, 16n, 8n, 0n].map((shift) => String((value >> shift) & 0xffn)).join('.');
}

/** Parses an address `isIP` accepted as IPv6 (with an embedded IPv4 tail where present). */
function parseIpv6(address: string): bigint {
  let text = address.toLowerCase();
  const ipv4Tail = /(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})$/.exec(text);
  if (ipv4Tail) {
    const tail = parseIpv4(ipv4Tail[1]!);
    text = `${text.slice(0, -ipv4Tail[1]!.length)}${(tail >> 16n).toString(16)}:${(tail & 0xffffn).toString(16)}`;
  }
  const [head = '', rest] = text.split('::');
  const headGroups = head ? head.split(':') : [];
  const tailGroups = rest === undefined ? [] : rest ? rest.split(':') : [];
  const missing = 8 - headGroups.length - tailGroups.length;
  const groups = rest === undefined ? headGroups : [...headGroups, ...Array<string>(missing).fill('0'), ...tailGroups];
  return groups.reduce((acc, group) => (acc << 16n) | BigInt(parseInt(group, 16)), 0n);
}

/** RFC 5952 text: lowercase, leading zeros dropped, the longest run of zero groups as `::`. */
function formatIpv6(value: bigint): string {
  const groups = Array.from({ length: 8 }, (_, i) => Number((value >> BigInt((7 - i) * 16)) & 0xffffn));
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart === -1) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}
