import { describe, expect, it } from 'vitest';
import { isValidTimeZone, scheduleTriggerConfigSchema } from './trigger';

const parse = (config: Record<string, unknown>) => scheduleTriggerConfigSchema.safeParse(config);
const messages = (config: Record<string, unknown>) => {
  const result = parse(config);
  return result.success ? [] : result.error.issues.map((issue) => issue.message);
};

describe('scheduleTriggerConfigSchema', () => {
  it('accepts five fields and defaults the time zone to UTC and data to {}', () => {
    const result = parse({ cron: ' 0 9 * * MON-FRI ' });
    expect(result.success && result.data).toMatchObject({
      cron: '0 9 * * MON-FRI',
      timezone: 'UTC',
      data: {},
    });
  });

  it('accepts six fields (leading seconds) and nth-weekday / last-day syntax', () => {
    expect(parse({ cron: '*/2 * * * * *' }).success).toBe(true);
    expect(parse({ cron: '0 0 12 * * 5#3' }).success).toBe(true);
    expect(parse({ cron: '0 0 L * ?' }).success).toBe(true);
  });

  it('refuses four or seven fields and foreign characters', () => {
    expect(messages({ cron: '0 9 * *' })).toEqual([
      'Use five cron fields (minute hour day month weekday), or six with leading seconds',
    ]);
    expect(messages({ cron: '0 0 9 * * * 2030' })).toHaveLength(1);
    expect(messages({ cron: '0 9 * * $(rm)' })).toEqual(['Invalid character in cron']);
  });

  it('accepts IANA zones and refuses unknown ones and raw offsets', () => {
    expect(parse({ cron: '0 9 * * *', timezone: 'Europe/Berlin' }).success).toBe(true);
    expect(parse({ cron: '0 9 * * *', timezone: 'America/Argentina/Buenos_Aires' }).success).toBe(true);
    const unknown = 'Unknown time zone: use an IANA name such as Europe/Berlin or UTC';
    expect(messages({ cron: '0 9 * * *', timezone: 'Mars/Olympus_Mons' })).toEqual([unknown]);
    expect(messages({ cron: '0 9 * * *', timezone: '+01:00' })).toEqual([unknown]);
    expect(isValidTimeZone('UTC')).toBe(true);
    expect(isValidTimeZone('')).toBe(false);
  });
});
