import { getContrastRatio } from '@material-ui/core/styles';
import { MINIMUM_TEXT_CONTRAST, readableColor } from './contrast';

describe('readableColor', () => {
  it.each([
    ['#ff9800', '#ffffff'],
    ['#4caf50', '#ffffff'],
    ['#2196f3', '#ffffff'],
    ['#f44336', '#ffffff'],
    ['#757575', '#f8f8f8'],
    ['#1f5493', '#303030'],
    ['#e22134', '#424242'],
  ])('makes %s readable on %s', (color, background) => {
    const result = readableColor(color, [background]);
    expect(getContrastRatio(result, background)).toBeGreaterThanOrEqual(
      MINIMUM_TEXT_CONTRAST,
    );
  });

  it('is readable on every background given', () => {
    const result = readableColor('#4caf50', ['#ffffff', '#f8f8f8']);
    expect(getContrastRatio(result, '#f8f8f8')).toBeGreaterThanOrEqual(
      MINIMUM_TEXT_CONTRAST,
    );
  });

  it('keeps a colour that is already readable', () => {
    expect(readableColor('#000000', ['#ffffff'])).toBe('#000000');
    expect(getContrastRatio('#ff9800', '#ffffff')).toBeLessThan(
      MINIMUM_TEXT_CONTRAST,
    );
    expect(readableColor('#ff9800', ['#ffffff'])).not.toBe('#ff9800');
  });
});
