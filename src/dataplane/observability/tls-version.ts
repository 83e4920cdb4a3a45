/** Go's tls.VersionName spelling of a Node TLS protocol, as Traefik logs and labels it. */
export function goTlsVersion(protocol: string | null): string {
  switch (protocol) {
    case 'TLSv1.3':
      return '1.3';
    case 'TLSv1.2':
      return '1.2';
    case 'TLSv1.1':
      return '1.1';
    case 'TLSv1':
      return '1.0';
    default:
      return 'unknown';
  }
}
