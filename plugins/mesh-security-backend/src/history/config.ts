import { Config } from '@backstage/config';

/** `meshSecurity.history`, validated (defaults in config.d.ts). */
export interface HistorySettings {
  enabled: boolean;
  retentionDays: number;
  recordIntervalMinutes: number;
  /**
   * A file of recorded events to seed the history from (demo data, labelled as such); absent
   * in production.
   */
  demoSeed?: string;
}

/** Most days kept: a little over a year, the span a rollout report looks back on. */
const MAX_RETENTION_DAYS = 3660;

/** Reads `meshSecurity.history`; throws naming the key when a value is out of range. */
export function readHistorySettings(config: Config): HistorySettings {
  const prefix = 'meshSecurity.history';
  const history = config.getOptionalConfig(prefix);
  const whole = (name: string, fallback: number, min: number, max: number) => {
    const value = history?.getOptionalNumber(name) ?? fallback;
    if (!(Number.isInteger(value) && value >= min && value <= max)) {
      throw new Error(
        `${prefix}.${name} must be a whole number from ${min} to ${max}`,
      );
    }
    return value;
  };
  const demoSeed = history?.getOptionalString('demoSeed');
  if (demoSeed !== undefined && demoSeed.trim() === '') {
    throw new Error(`${prefix}.demoSeed must be the path of a file`);
  }
  return {
    ...(demoSeed ? { demoSeed } : {}),
    enabled: history?.getOptionalBoolean('enabled') ?? true,
    retentionDays: whole('retentionDays', 400, 1, MAX_RETENTION_DAYS),
    recordIntervalMinutes: whole('recordIntervalMinutes', 60, 1, 1440),
  };
}
