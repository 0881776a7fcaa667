import { describe, expect, it } from 'vitest';
import { assertDeliverableUrl, isForbiddenAddress } from '../../services/webhooks/address-guard';
import { checkWebhookUrl } from '../../services/webhooks/create-webhook-endpoint';
import { AppError } from '../../services/app-error';

describe('webhook address guard', () => {
  it.each([
    '127.0.0.1',
    '127.1.2.3',
    '10.0.0.5',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '::',
    '::1',
    'fd00:ec2::254',
    'fc00::1',
    'fe80::1',
    '::ffff:127.0.0.1',
    '::ffff:a9fe:a9fe',
    '64:ff9b::a9fe:a9fe',
    'not-an-address',
  ])('refuses %s', (address) => {
    expect(isForbiddenAddress(address)).toBe(true);
  });

  it.each(['93.184.216.34', '8.8.8.8', '172.32.0.1', '100.128.0.1', '2606:4700::1111', '::ffff:8.8.8.8'])(
    'allows the public address %s',
    (address) => {
      expect(isForbiddenAddress(address)).toBe(false);
    },
  );

  it('checks every address a name resolves to, and only https', async () => {
    const resolve = async (host: string) =>
      host === 'metadata.example.com' ? ['93.184.216.34', '169.254.169.254'] : ['93.184.216.34'];
    await expect(
      assertDeliverableUrl('https://metadata.example.com/hook', { allowPrivate: false, resolve }),
    ).rejects.toThrow(/loopback, private, link-local or metadata/);
    await expect(assertDeliverableUrl('http://hooks.example.com/', { allowPrivate: false, resolve })).rejects.toThrow(
      /https/,
    );
    await expect(
      assertDeliverableUrl('https://user:pw@hooks.example.com/', { allowPrivate: false, resolve }),
    ).rejects.toThrow(/credentials/);
    const ok = await assertDeliverableUrl('https://hooks.example.com/leadflow', { allowPrivate: false, resolve });
    expect(ok.hostname).toBe('hooks.example.com');
  });

  it('answers 400 naming url when a name resolves to the metadata address', async () => {
    const err = await checkWebhookUrl(
      { allowPrivate: false, resolve: async () => ['169.254.169.254'] },
      'https://hooks.example.com/',
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('bad_request');
    expect((err as AppError).details).toEqual([{ field: 'url', reason: expect.stringMatching(/metadata/) }]);
  });

  it('lets http and loopback through with WEBHOOK_ALLOW_PRIVATE=1', async () => {
    const url = await assertDeliverableUrl('http://127.0.0.1:9/hook', { allowPrivate: true });
    expect(url.port).toBe('9');
  });
});
