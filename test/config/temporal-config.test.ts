import { describe, expect, it } from 'vitest';
import { LOCAL_DEV_SERVER, temporalSettings } from '../../temporal.config';

describe('temporalSettings', () => {
  const noFiles = (path: string): Buffer => {
    throw new Error(`unexpected read of ${path}`);
  };

  it('points at the local dev server when no address is configured', () => {
    const s = temporalSettings({ TEMPORAL_NAMESPACE: 'default' }, noFiles);
    expect(s.address).toBe(`127.0.0.1:${LOCAL_DEV_SERVER.port}`);
    expect(s.connection.tls).toBeUndefined();
  });

  it('uses TLS with an API key (Temporal Cloud)', () => {
    const s = temporalSettings(
      { TEMPORAL_ADDRESS: 'ns.acct.tmprl.cloud:7233', TEMPORAL_NAMESPACE: 'ns.acct', TEMPORAL_API_KEY: 'k' },
      noFiles,
    );
    expect(s.connection).toEqual({ address: 'ns.acct.tmprl.cloud:7233', apiKey: 'k', tls: true });
  });

  it('reads mTLS material inline or from files', () => {
    const files: Record<string, string> = { '/etc/tls/key.pem': 'KEY' };
    const s = temporalSettings(
      {
        TEMPORAL_ADDRESS: 'temporal:7233',
        TEMPORAL_NAMESPACE: 'prod',
        TEMPORAL_TLS_CERT: '-----BEGIN CERTIFICATE-----\nabc',
        TEMPORAL_TLS_KEY: '/etc/tls/key.pem',
      },
      (p) => Buffer.from(files[p]!),
    );
    const tls = s.connection.tls as { clientCertPair: { crt: Buffer; key: Buffer } };
    expect(tls.clientCertPair.crt.toString()).toContain('BEGIN CERTIFICATE');
    expect(tls.clientCertPair.key.toString()).toBe('KEY');
  });
});
