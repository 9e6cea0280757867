import { ConfigReader } from '@backstage/config';
import { readNotificationSettings } from './config';

const read = (meshSecurity: object) =>
  readNotificationSettings(new ConfigReader({ meshSecurity }));

describe('readNotificationSettings', () => {
  it('defaults: on when the notifications backend is installed, high, every minute, the posture window', () => {
    expect(read({})).toEqual({
      enabled: undefined,
      severityThreshold: 'high',
      checkIntervalSeconds: 60,
      certificateWarningDays: 30,
    });
    expect(read({ certificateExpiryWarningDays: 14 })).toMatchObject({
      certificateWarningDays: 14,
    });
    expect(
      read({
        certificateExpiryWarningDays: 14,
        notifications: { certificateWarningDays: 45 },
      }),
    ).toMatchObject({ certificateWarningDays: 45 });
  });

  it('reads what is configured', () => {
    expect(
      read({
        notifications: {
          enabled: false,
          severityThreshold: 'critical',
          checkIntervalSeconds: 5,
        },
      }),
    ).toMatchObject({
      enabled: false,
      severityThreshold: 'critical',
      checkIntervalSeconds: 5,
    });
  });

  it.each([
    [
      { severityThreshold: 'severe' },
      "meshSecurity.notifications.severityThreshold must be one of critical, high, medium, low, info, not 'severe'",
    ],
    [
      { checkIntervalSeconds: 1 },
      'meshSecurity.notifications.checkIntervalSeconds must be a whole number from 5 to 86400',
    ],
    [
      { checkIntervalSeconds: 7.5 },
      'meshSecurity.notifications.checkIntervalSeconds must be a whole number from 5 to 86400',
    ],
    [
      { certificateWarningDays: -1 },
      'meshSecurity.notifications.certificateWarningDays must be a number from 0 to 3650',
    ],
  ])('refuses %j', (notifications, message) => {
    expect(() => read({ notifications })).toThrow(message);
  });
});
