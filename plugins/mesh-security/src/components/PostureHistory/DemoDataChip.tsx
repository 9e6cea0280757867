import { Box, Chip, Typography } from '@material-ui/core';

/**
 * "Demo data": history seeded from the demo's recorded events rather than recorded from an
 * evaluation, said in words beside the chip (not only in a tooltip).
 */
export const DemoDataChip = ({ description }: { description: string }) => (
  <Box display="flex" alignItems="center" mb={1} style={{ gap: 8 }}>
    <Chip size="small" label="Demo data" variant="outlined" />
    <Typography variant="caption" color="textSecondary">
      {description}
    </Typography>
  </Box>
);
