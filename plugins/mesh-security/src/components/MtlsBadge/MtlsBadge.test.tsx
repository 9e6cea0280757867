import { renderInTestApp } from '@backstage/test-utils';
import { screen } from '@testing-library/react';
import { MtlsMode } from '@mesh-security/plugin-mesh-security-common';
import { MtlsBadge } from './MtlsBadge';

describe('MtlsBadge', () => {
  it.each<[MtlsMode, string, string]>([
    ['STRICT', 'only mutual TLS is accepted', 'LockIcon'],
    [
      'PERMISSIVE',
      'mutual TLS and plaintext are both accepted',
      'LockOutlinedIcon',
    ],
    ['DISABLED', 'plaintext only', 'LockOpenIcon'],
    ['PARTIAL', 'ports or pods differ', 'CallSplitIcon'],
    ['UNKNOWN', 'could not be determined', 'HelpOutlineIcon'],
  ])(
    '%s shows text, icon and an accessible description',
    async (mode, words) => {
      await renderInTestApp(<MtlsBadge mode={mode} reason="because" />);
      const badge = screen.getByLabelText(
        new RegExp(`^mTLS ${mode}: .*${words}.*\\(because\\)`),
      );
      expect(badge).toHaveTextContent(mode);
      expect(badge.querySelector('svg')).not.toBeNull();
      expect(badge).toHaveAttribute('data-mtls-mode', mode);
    },
  );

  it('uses different colours for good and bad modes', async () => {
    await renderInTestApp(
      <>
        <MtlsBadge mode="STRICT" />
        <MtlsBadge mode="DISABLED" />
      </>,
    );
    const strict = getComputedStyle(
      screen.getByText('STRICT').parentElement!,
    ).color;
    const disabled = getComputedStyle(
      screen.getByText('DISABLED').parentElement!,
    ).color;
    expect(strict).not.toEqual(disabled);
  });
});
