import { useApi } from '@backstage/core-plugin-api';
import { Box, Button, Typography } from '@material-ui/core';
import GetAppIcon from '@material-ui/icons/GetApp';
import { useState } from 'react';
import { meshSecurityApiRef } from '../../api';

/** "mesh-security-history-payments-team-90d.csv": the file name a download is saved as. */
export function historyCsvFileName(owner: string | undefined, days: number) {
  const part = owner ? `${owner.replace(/[^A-Za-z0-9._-]+/g, '-')}-` : '';
  return `mesh-security-history-${part}${days}d.csv`;
}

/**
 * Downloads the catalog-wide history as CSV (`GET /history?format=csv`). The file is fetched
 * through the plugin's client, i.e. the app's fetch API with the user's credentials (a plain
 * link would go without them), then saved from a blob.
 */
export const DownloadHistoryCsv = ({
  owner,
  days,
}: {
  owner?: string;
  days: number;
}) => {
  const api = useApi(meshSecurityApiRef);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | undefined>();
  const download = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const text = await api.getOverviewHistoryCsv({ owner, days });
      const url = URL.createObjectURL(
        new Blob([text], { type: 'text/csv;charset=utf-8' }),
      );
      const link = document.createElement('a');
      link.href = url;
      link.download = historyCsvFileName(owner, days);
      document.body.appendChild(link);
      link.click();
      link.remove();
      // Released once the browser has taken the file (revoking at once can cancel it).
      window.setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (e) {
      setError(e as Error);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Box display="flex" alignItems="center" flexWrap="wrap" style={{ gap: 8 }}>
      <Button
        size="small"
        variant="outlined"
        startIcon={<GetAppIcon />}
        onClick={download}
        disabled={busy}
      >
        Download CSV
      </Button>
      {error && (
        <Typography variant="body2" color="error" role="alert">
          Could not download the history: {error.message}
        </Typography>
      )}
    </Box>
  );
};
