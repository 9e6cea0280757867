import { Config } from '@backstage/config';
import {
  DEFAULT_CERTIFICATE_WARNING_DAYS,
  SEVERITIES,
  Severity,
} from '@mesh-security/plugin-mesh-security-common';

/**
 * The catalog annotation a component opts out of regression notifications with
 * (`mesh-security.io/notifications: disabled`); `enabled` (or no annotation) keeps them.
 */
export const NOTIFICATIONS_ANNOTATION = 'mesh-security.io/notifications';

/** `meshSecurity.notifications`, validated (defaults in config.d.ts). */
export interface NotificationSettings {
  /**
   * `true`/`false` as configured; `undefined`: on when the notifications backend plugin runs in
   * the same backend instance.
   */
  enabled: boolean | undefined;
  /** New findings of this severity or worse are notified. */
  severityThreshold: Severity;
  checkIntervalSeconds: number;
  /** A trust root with fewer days left is in the warning window. */
  certificateWarningDays: number;
}

/** Reads `meshSecurity.notifications`; throws naming the key when a value is out of range. */
export function readNotificationSettings(config: Config): NotificationSettings {
  const prefix = 'meshSecurity.notifications';
  const section = config.getOptionalConfig(prefix);
  const severityThreshold =
    section?.getOptionalString('severityThreshold') ?? 'high';
  if (!(SEVERITIES as readonly string[]).includes(severityThreshold)) {
    throw new Error(
      `${prefix}.severityThreshold must be one of ${SEVERITIES.join(
        ', ',
      )}, not '${severityThreshold}'`,
    );
  }
  const checkIntervalSeconds =
    section?.getOptionalNumber('checkIntervalSeconds') ?? 60;
  if (
    !(
      Number.isInteger(checkIntervalSeconds) &&
      checkIntervalSeconds >= 5 &&
      checkIntervalSeconds <= 86_400
    )
  ) {
    throw new Error(
      `${prefix}.checkIntervalSeconds must be a whole number from 5 to 86400`,
    );
  }
  // The posture's own warning window (MS420) unless the notifications set theirs.
  const certificateWarningDays =
    section?.getOptionalNumber('certificateWarningDays') ??
    config.getOptionalNumber('meshSecurity.certificateExpiryWarningDays') ??
    DEFAULT_CERTIFICATE_WARNING_DAYS;
  if (!(certificateWarningDays >= 0 && certificateWarningDays <= 3650)) {
    throw new Error(
      `${prefix}.certificateWarningDays must be a number from 0 to 3650`,
    );
  }
  return {
    enabled: section?.getOptionalBoolean('enabled'),
    severityThreshold: severityThreshold as Severity,
    checkIntervalSeconds,
    certificateWarningDays,
  };
}
