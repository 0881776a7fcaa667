import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { METADATA_ENCODING_KEY, type Payload, type PayloadCodec } from '@temporalio/common';
// @temporalio/proto is CommonJS: Node's ESM loader (tsx, npm start) sees no named exports in it.
import proto from '@temporalio/proto';
import { isDataKeyDestroyed, type LeadDataKeyStore } from './lead-data-keys';

const { temporal } = proto;

export const ENCODING_ENCRYPTED = 'binary/encrypted';
export const METADATA_KEY_ID = 'encryption-key-id';

const utf8 = new TextEncoder();
const text = new TextDecoder();
const LEAD_ID_MARK = Buffer.from('"leadId"');

/**
 * Which lead a payload belongs to: `encode()` gets no context, so the payload says so
 * itself. Every lead-workflow payload that can hold personal data is a JSON object with
 * a top-level `leadId`; anything else passes through in clear and must hold none.
 */
export function leadOf(payload: Payload): { leadId: string; businessId: string | null } | null {
  if (text.decode(payload.metadata?.[METADATA_ENCODING_KEY] ?? new Uint8Array()) !== 'json/plain' || !payload.data)
    return null;
  // Cheap test first: most payloads without a lead are never parsed.
  if (Buffer.from(payload.data.buffer, payload.data.byteOffset, payload.data.byteLength).indexOf(LEAD_ID_MARK) < 0)
    return null;
  let value: unknown;
  try {
    value = JSON.parse(text.decode(payload.data));
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const { leadId, businessId } = value as { leadId?: unknown; businessId?: unknown };
  if (typeof leadId !== 'string' || leadId.length === 0) return null;
  return { leadId, businessId: typeof businessId === 'string' ? businessId : null };
}

export interface LeadPayloadCodecOptions {
  keys: LeadDataKeyStore;
  /**
   * What decode does with a payload whose key was destroyed: `throw` (workers and
   * clients: a non-retryable failure naming the key id) or `keep` it encrypted (the
   * codec endpoint, so the Web UI shows the rest of the history).
   */
  onDestroyedKey?: 'throw' | 'keep';
  /**
   * The business every new key made by this codec belongs to, whatever the payload says
   * (the codec endpoint: the caller's business, never one named in a crafted payload).
   */
  businessId?: string;
}

/**
 * AES-256-GCM with the lead's own data key over the whole protobuf-encoded payload (as
 * the SDK's encryption sample does); the key id is bound as additional data, so a
 * ciphertext moved under another key id does not open.
 */
export class LeadPayloadCodec implements PayloadCodec {
  constructor(private readonly opts: LeadPayloadCodecOptions) {}

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return Promise.all(payloads.map((p) => this.encodeOne(p)));
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return Promise.all(payloads.map((p) => this.decodeOne(p)));
  }

  private async encodeOne(payload: Payload): Promise<Payload> {
    const lead = leadOf(payload);
    if (!lead) return payload;
    const dataKey = await this.opts.keys.keyForLead(lead.leadId, this.opts.businessId ?? lead.businessId);
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', dataKey.key, iv);
    cipher.setAAD(Buffer.from(dataKey.id, 'utf8'));
    const plain = temporal.api.common.v1.Payload.encode(payload).finish();
    const body = Buffer.concat([cipher.update(plain), cipher.final()]);
    return {
      metadata: {
        [METADATA_ENCODING_KEY]: utf8.encode(ENCODING_ENCRYPTED),
        [METADATA_KEY_ID]: utf8.encode(dataKey.id),
      },
      data: new Uint8Array(Buffer.concat([iv, body, cipher.getAuthTag()])),
    };
  }

  private async decodeOne(payload: Payload): Promise<Payload> {
    if (text.decode(payload.metadata?.[METADATA_ENCODING_KEY] ?? new Uint8Array()) !== ENCODING_ENCRYPTED)
      return payload;
    const idBytes = payload.metadata?.[METADATA_KEY_ID];
    if (!idBytes || !payload.data) throw new Error('encrypted payload without a key id or data');
    const keyId = text.decode(idBytes);
    let dataKey;
    try {
      dataKey = await this.opts.keys.keyById(keyId);
    } catch (err) {
      if (isDataKeyDestroyed(err) && this.opts.onDestroyedKey === 'keep') return payload;
      throw err;
    }
    const raw = Buffer.from(payload.data.buffer, payload.data.byteOffset, payload.data.byteLength);
    if (raw.length < 12 + 16) throw new Error(`encrypted payload under key ${keyId} is truncated`);
    const decipher = createDecipheriv('aes-256-gcm', dataKey.key, raw.subarray(0, 12));
    decipher.setAAD(Buffer.from(keyId, 'utf8'));
    decipher.setAuthTag(raw.subarray(raw.length - 16));
    let plain: Buffer;
    try {
      plain = Buffer.concat([decipher.update(raw.subarray(12, raw.length - 16)), decipher.final()]);
    } catch {
      throw new Error(`encrypted payload under key ${keyId} does not open: tampered or wrong key`);
    }
    const decoded = temporal.api.common.v1.Payload.decode(plain) as Payload;
    // A worker that replays a history learns which key the lead's new payloads go under.
    const lead = leadOf(decoded);
    if (lead) this.opts.keys.remember(lead.leadId, keyId);
    return decoded;
  }
}
