/**
 * Checks of one `KAFKA_BROKERS` entry that kafkajs itself does not make: it accepts any string
 * and then retries forever (`Port should be >= 0 and < 65536`, `getaddrinfo ENOTFOUND` for a
 * host with an invisible character in front). Pure; each problem is one short sentence.
 */

/** A host name label (RFC 1123): letters, digits and inner hyphens, at most 63 characters. */
const LABEL = /^[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?$/;
const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;
const IPV6_BRACKETED = /^\[[0-9A-Fa-f:.]+\]$/;

/** The first character outside what a host:port can hold, named by code point (it may be invisible). */
function strayCharacter(address: string): string | undefined {
  for (const [index, char] of [...address].entries()) {
    if (!/[A-Za-z0-9.:_[\]-]/.test(char)) {
      const code = `U+${char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
      return `has a stray character ${code} at position ${index + 1}`;
    }
  }
  return undefined;
}

function hostProblem(host: string): string | undefined {
  if (host === '') return 'has no host before the port';
  if (host.startsWith('['))
    return IPV6_BRACKETED.test(host) ? undefined : 'is not a valid IPv6 host';
  const ipv4 = IPV4.exec(host);
  if (ipv4)
    return ipv4.slice(1).every((n) => Number(n) <= 255) ? undefined : 'is not a valid IPv4 address';
  if (host.length > 253) return 'has a host name longer than 253 characters';
  return host.split('.').every((label) => LABEL.test(label))
    ? undefined
    : 'has a host name that is not letters, digits, hyphens and dots';
}

/** What is wrong with one `host:port`, or undefined when it can work. */
export function brokerAddressProblem(address: string): string | undefined {
  const stray = strayCharacter(address);
  if (stray) return stray;
  const colon = address.lastIndexOf(':');
  if (colon < 0) return 'must be host:port';
  const port = address.slice(colon + 1);
  if (!/^\d+$/.test(port)) return 'must end in :port, a whole number';
  if (Number(port) < 1 || Number(port) > 65_535) return `has port ${port}, outside 1..65535`;
  return hostProblem(address.slice(0, colon));
}
