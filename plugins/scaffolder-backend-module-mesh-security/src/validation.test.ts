import { z } from 'zod/v3';
import { expirySchema } from './validation';

/** Today and its neighbours, in UTC, as `YYYY-MM-DD`. */
const day = (offset: number) =>
  new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);

/** The first leap year after this one. */
function nextLeapYear(): number {
  let year = new Date().getUTCFullYear() + 1;
  while (new Date(Date.UTC(year, 1, 29)).getUTCDate() !== 29) year++;
  return year;
}

const problems = (value: string) => {
  const result = expirySchema(z).safeParse(value);
  return result.success ? [] : result.error.issues.map(i => i.message);
};

describe('expirySchema', () => {
  it.each([
    ['today', day(0)],
    ['tomorrow', day(1)],
    ['29 February of a leap year', `${nextLeapYear()}-02-29`],
    ['the end of next year', `${new Date().getUTCFullYear() + 1}-12-31`],
  ])('accepts %s', (_, value) => {
    expect(problems(value)).toEqual([]);
  });

  it.each([
    ['2024-02-31', '2024-02-31 is not a date in the calendar'],
    [
      `${nextLeapYear() + 1}-02-29`,
      `${nextLeapYear() + 1}-02-29 is not a date in the calendar`,
    ],
    ['2030-13-01', '2030-13-01 is not a date in the calendar'],
    ['2030-04-31', '2030-04-31 is not a date in the calendar'],
    ['2030-00-10', '2030-00-10 is not a date in the calendar'],
    [
      day(-1),
      `${day(-1)} is in the past (today is ${day(
        0,
      )}, UTC); give a date from today on`,
    ],
    [
      '2020-01-01',
      `2020-01-01 is in the past (today is ${day(
        0,
      )}, UTC); give a date from today on`,
    ],
    ['31/12/2030', 'must be a date YYYY-MM-DD'],
  ])('refuses %s', (value, message) => {
    expect(problems(value)).toEqual([message]);
  });
});
