import { describe, expect, it } from 'vitest';
import { bucketAddress, formatCidr, parseCidr, parseIp } from './cidr.ts';

describe('parseCidr', () => {
  it.each([
    ['10.1.2.3/8', '10.0.0.0/8'],
    ['192.168.1.7', '192.168.1.7/32'],
    ['0.0.0.0/0', '0.0.0.0/0'],
    ['2001:DB8:0:0:1::1/32', '2001:db8::/32'],
    ['2001:db8::1', '2001:db8::1/128'],
    ['::/0', '::/0'],
    ['::ffff:10.0.0.1', '10.0.0.1/32'],
    ['fe80::1:2:3:4/64', 'fe80::/64'],
  ])('canonicalises %s as %s', (input, expected) => {
    expect(formatCidr(parseCidr(input)!)).toBe(expected);
  });

  it.each(['10.0.0.0/33', '2001:db8::/129', '10.0.0/8', 'example.com', '10.0.0.1/', '10.0.0.1/-1', 'fe80::1%eth0', '', '1.2.3.4/08x'])(
    'refuses %j',
    (input) => {
      expect(parseCidr(input)).toBeUndefined();
    },
  );
});

describe('parseIp', () => {
  it('unwraps IPv4-mapped IPv6 addresses', () => {
    expect(parseIp('::ffff:127.0.0.1')).toEqual({ address: '127.0.0.1', family: 'ipv4' });
  });

  it('compresses IPv6 the RFC 5952 way', () => {
    expect(parseIp('2001:0db8:0000:0000:0001:0000:0000:0001')?.address).toBe('2001:db8::1:0:0:1');
  });
});

describe('bucketAddress', () => {
  it('keys IPv6 clients by their /64 so address rotation inside it shares one bucket', () => {
    expect(bucketAddress('2001:db8:1:2:aaaa::1')).toBe(bucketAddress('2001:db8:1:2:bbbb::2'));
    expect(bucketAddress('2001:db8:1:2::1')).toBe('2001:db8:1:2::/64');
  });

  it('keys IPv4 clients by their address', () => {
    expect(bucketAddress('::ffff:203.0.113.9')).toBe('203.0.113.9');
  });
});
