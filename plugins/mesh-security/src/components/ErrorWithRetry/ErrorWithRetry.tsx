import { ResponseErrorPanel } from '@backstage/core-components';
import { Box, Button } from '@material-ui/core';
import RefreshIcon from '@material-ui/icons/Refresh';

/** A backend error as Backstage shows it, with a button to try again. */
export const ErrorWithRetry = ({
  error,
  onRetry,
}: {
  error: Error;
  onRetry: () => void;
}) => (
  <Box>
    <ResponseErrorPanel error={error} />
    <Box mt={1}>
      <Button variant="outlined" startIcon={<RefreshIcon />} onClick={onRetry}>
        Retry
      </Button>
    </Box>
  </Box>
);
