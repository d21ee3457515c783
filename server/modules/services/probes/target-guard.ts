/**
 * Keeps tenants' service checks away from networks they must not reach through Watchkeeper —
 * by default its own host (loopback) and link-local addresses such as a cloud's metadata service
 * (169.254.169.254) — so a member of one organization cannot use checks to scan or call what
 * only the instance itself can reach.
 *
 * The address is judged when the connection is made, after DNS: a name that resolves (or is
 * re-pointed) to a blocked address is refused, not only a literal one.
 */
import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';

export class BlockedTargetError extends Error {
  constructor(host: string, address: string) {
    super(
      `${host === address ? address : `${host} (${address})`} is in a network that services of this organization may not target (SERVICES_TENANT_BLOCKED_NETWORKS)`,
    );
    this.name = 'BlockedTargetError';
  }
}

export interface TargetGuard {
  /** Throws BlockedTargetError when `host` is a blocked IP literal (names are judged by `lookup`). */
  assertLiteralAllowed(host: string): void;
  /** A dns.lookup replacement for net.connect and undici that refuses blocked addresses. */
  lookup: LookupFunction;
}

// IPv4-mapped IPv6 (::ffff:127.0.0.1) is judged as the IPv4 address it carries.
function normalise(address: string): { address: string; type: 'ipv4' | 'ipv6' } {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return { address: mapped[1]!, type: 'ipv4' };
  return { address, type: isIP(address) === 6 ? 'ipv6' : 'ipv4' };
}

/** `networks`: CIDR ranges or single addresses, as validated by the setting. Undefined when empty. */
export function createTargetGuard(networks: readonly string[]): TargetGuard | undefined {
  if (networks.length === 0) return undefined;
  const blocked = new BlockList();
  for (const network of networks) {
    const [address = '', prefix] = network.split('/');
    const type = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    if (prefix === undefined) blocked.addAddress(address, type);
    else blocked.addSubnet(address, Number(prefix), type);
  }
  const isBlocked = (raw: string) => {
    const { address, type } = normalise(raw.replace(/^\[|\]$/g, ''));
    return blocked.check(address, type);
  };

  const lookup = ((
    host: string,
    options: LookupOptions,
    callback: (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void,
  ) => {
    dnsLookup(host, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, []);
      const refused = addresses.find((entry) => isBlocked(entry.address));
      if (refused) return callback(new BlockedTargetError(host, refused.address), []);
      if (options.all) return callback(null, addresses);
      const first = addresses[0]!;
      callback(null, first.address, first.family);
    });
  }) as LookupFunction;

  return {
    assertLiteralAllowed(host: string) {
      const bare = host.replace(/^\[|\]$/g, '');
      if (isIP(bare) && isBlocked(bare)) throw new BlockedTargetError(host, bare);
    },
    lookup,
  };
}
