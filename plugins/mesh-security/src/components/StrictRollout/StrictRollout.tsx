import { EntityRefLink } from '@backstage/plugin-catalog-react';
import {
  Box,
  List,
  ListItem,
  ListItemText,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
  Typography,
} from '@material-ui/core';
import {
  formatTrafficWindow,
  ObservedEncryption,
  OverviewObservedTraffic,
} from '@mesh-security/plugin-mesh-security-common';
import { observationStatusText } from '../ObservedTraffic/ObservedTraffic';
import { formatShare } from '../ObservedTraffic/edgeTraffic';
import { wrappingSecondary } from '../textWrap';

const share = (e: ObservedEncryption) =>
  `${formatShare(e.mtlsShare)} mTLS (${Math.round(e.mtls)} mTLS · ${Math.round(
    e.plaintext,
  )} plaintext; ${e.observedComponents} of ${
    e.components
  } components observed)`;

/**
 * The platform team's STRICT rollout board on the overview: the observed encryption share of
 * the evidence window overall and per owner, and the components ready for STRICT (MS503). Every
 * number comes from `GET /overview` (docs/traffic.md "On the overview page").
 */
export const StrictRollout = ({
  traffic,
}: {
  traffic: OverviewObservedTraffic;
}) => {
  const usable = traffic.observations.filter(
    o => o.status === 'ok' || o.status === 'stale',
  );
  const window = formatTrafficWindow(
    (usable[0] ?? traffic.observations[0])?.windows.evidenceSeconds ?? 604800,
  );
  return (
    <Box>
      {traffic.observations.map(o => (
        <Typography
          key={o.cluster}
          variant="body2"
          color={o.status === 'ok' ? 'textPrimary' : 'textSecondary'}
          aria-label={`Observation status ${o.cluster}`}
          data-status={o.status}
        >
          {traffic.observations.length > 1 ? `${o.cluster}: ` : ''}
          {observationStatusText(o)}
        </Typography>
      ))}
      {usable.length === 0 ? null : (
        <>
          <Box mt={2}>
            <Typography variant="subtitle2" component="h4">
              Observed encryption, last {window}
            </Typography>
            <Typography variant="body1" aria-label="Observed encryption share">
              All matching components: {share(traffic.total)}
            </Typography>
          </Box>
          {traffic.byOwner.length > 0 && (
            <Table size="small" aria-label="Observed encryption per owner">
              <TableHead>
                <TableRow>
                  <TableCell>Owner</TableCell>
                  <TableCell>mTLS share</TableCell>
                  <TableCell align="right">mTLS</TableCell>
                  <TableCell align="right">plaintext</TableCell>
                  <TableCell align="right">observed</TableCell>
                </TableRow>
              </TableHead>
              <TableBody>
                {traffic.byOwner.map(o => (
                  <TableRow key={o.owner}>
                    <TableCell>{o.owner}</TableCell>
                    <TableCell>{formatShare(o.mtlsShare)}</TableCell>
                    <TableCell align="right">{Math.round(o.mtls)}</TableCell>
                    <TableCell align="right">
                      {Math.round(o.plaintext)}
                    </TableCell>
                    <TableCell align="right">
                      {o.observedComponents} / {o.components}
                    </TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          )}
          <Box mt={2}>
            <Typography variant="subtitle2" component="h4">
              Ready for STRICT (PERMISSIVE, only mTLS in the last {window})
            </Typography>
            {traffic.readyForStrict.length === 0 ? (
              <Typography variant="body2" color="textSecondary">
                No matching component is ready: each PERMISSIVE port either
                received plaintext or was not observed.
              </Typography>
            ) : (
              <List dense aria-label="Ready for STRICT">
                {traffic.readyForStrict.map(item => (
                  <ListItem key={item.entityRef} divider>
                    <ListItemText
                      primary={
                        <>
                          {/* Underlined: a link inside text needs more than colour (WCAG 1.4.1). */}
                          <EntityRefLink
                            entityRef={item.entityRef}
                            title={item.name}
                            underline="always"
                          />
                          {` · ${Math.round(item.mtls)} mTLS, no plaintext`}
                          {item.owner ? ` · ${item.owner}` : ''}
                        </>
                      }
                      secondary={item.workloads
                        .map(w => `${w.namespace}/${w.name}: ${w.message}`)
                        .join(' ')}
                      secondaryTypographyProps={wrappingSecondary}
                    />
                  </ListItem>
                ))}
              </List>
            )}
            {traffic.readyForStrictCount > traffic.readyForStrict.length && (
              <Typography
                variant="caption"
                color="textSecondary"
                component="p"
                aria-label="Ready for STRICT, not all listed"
              >
                Showing the first {traffic.readyForStrict.length} of the{' '}
                {traffic.readyForStrictCount} ready components, by name: filter
                by owner, system or name to see the others.
              </Typography>
            )}
          </Box>
        </>
      )}
    </Box>
  );
};
