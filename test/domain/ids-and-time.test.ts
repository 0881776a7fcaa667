import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isUuid, ZUuid } from '../../domain/ids';
import { API_KEY_ROLES } from '../../domain/roles';
import { DAY_MS, HOUR_MS, MINUTE_MS } from '../../domain/time';

describe('ids', () => {
  it('accepts the UUIDs leadflow issues, in either case, and nothing else', () => {
    const id = randomUUID();
    expect([isUuid(id), isUuid(id.toUpperCase())]).toEqual([true, true]);
    for (const bad of ['', 'lead-1', `${id} `, id.slice(1), id.replace(/-/g, ''), `${id}0`, "1' OR '1'='1"]) {
      expect({ bad, isUuid: isUuid(bad) }).toEqual({ bad, isUuid: false });
    }
  });

  it('says at a zod boundary what it wanted', () => {
    expect(ZUuid.safeParse(randomUUID()).success).toBe(true);
    const refused = ZUuid.safeParse('lead-1');
    expect(refused.success).toBe(false);
    expect(refused.error?.issues[0]?.message).toBe('must be an id (a UUID)');
  });
});

describe('lengths of time', () => {
  it('are the fixed spans the timers and retention periods count in', () => {
    expect([MINUTE_MS, HOUR_MS, DAY_MS]).toEqual([60_000, 3_600_000, 86_400_000]);
  });
});

describe('API key roles', () => {
  it('are the four the API checks', () => {
    expect(API_KEY_ROLES).toEqual(['owner', 'operator', 'compliance', 'widget']);
  });
});
