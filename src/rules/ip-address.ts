import { isIP } from 'node:net';

/** An IP address as an integer: 32 bits for IPv4, 128 for IPv6. */
export type IpAddress = { family: 4; value: number } | { family: 6; value: bigint };

const mappedPrefix = 0xffffn << 32n;

function ipv4Value(text: string): number {
  return text.split('.').reduce((value, octet) => value * 256 + Number(octet), 0);
}

function ipv6Value(text: string): bigint {
  // An embedded IPv4 tail (::ffff:10.0.0.5) stands for the last two groups.
  const embedded = text.includes('.') ? ipv4Value(text.slice(text.lastIndexOf(':') + 1)) : undefined;
  const groupsText = embedded === undefined ? text : `${text.slice(0, text.lastIndexOf(':') + 1)}0:0`;
  const [left, right] = groupsText.split('::');
  const head = left === '' ? [] : left.split(':');
  const tail = right === undefined || right === '' ? [] : right.split(':');
  const groups =
    right === undefined ? head : [...head, ...new Array<string>(8 - head.length - tail.length).fill('0'), ...tail];
  const value = groups.reduce((total, group) => (total << 16n) | BigInt(parseInt(group, 16)), 0n);
  return embedded === undefined ? value : (value & ~0xffffffffn) | BigInt(embedded);
}

/**
 * The address in a value, or undefined: plain IPv4/IPv6, also `10.0.0.5:9100` and `[::1]:9100` (Prometheus
 * `instance` labels) and `fe80::1%eth0` (the zone is ignored).
 */
export function parseIpAddress(text: string): IpAddress | undefined {
  let address = text.trim();
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(address);
  if (bracketed) address = bracketed[1];
  else if (/^[\d.]+:\d+$/.test(address)) address = address.slice(0, address.lastIndexOf(':'));
  address = address.replace(/%.*$/, '');
  const version = isIP(address);
  if (version === 4) return { family: 4, value: ipv4Value(address) };
  if (version === 6) return { family: 6, value: ipv6Value(address) };
  return undefined;
}

/** A network: an address and a prefix length. */
export interface IpNetwork {
  address: IpAddress;
  prefix: number;
}

/**
 * Whether a network holds an address. IPv4-mapped IPv6 addresses (`::ffff:10.0.0.5`) count as their IPv4 address
 * and IPv4 addresses as mapped ones, so either spelling matches either kind of network.
 */
export function networkContains(network: IpNetwork, address: IpAddress): boolean {
  const { prefix } = network;
  if (network.address.family === 4) {
    const value =
      address.family === 4
        ? address.value
        : (address.value >> 32n) << 32n === mappedPrefix
          ? Number(address.value & 0xffffffffn)
          : undefined;
    if (value === undefined) return false;
    const size = 2 ** (32 - prefix);
    return Math.floor(value / size) === Math.floor(network.address.value / size);
  }
  const value = address.family === 6 ? address.value : mappedPrefix | BigInt(address.value);
  const shift = BigInt(128 - prefix);
  return value >> shift === network.address.value >> shift;
}
