import { Button, List, ListItem, ListItemText, Typography } from '@material-ui/core';
import { Progress, ResponseErrorPanel } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { meshSecurityApiRef } from '../../api';

/** Shows whether the Mesh Security backend is up and which cluster sources it has. */
export const BackendStatus = () => {
  const api = useApi(meshSecurityApiRef);
  const { value, loading, error, retry } = useAsyncRetry(
    () => api.getHealth(),
    [api],
  );

  if (loading) {
    return <Progress />;
  }
  if (error) {
    return (
      <>
        <ResponseErrorPanel error={error} />
        <Button variant="outlined" onClick={retry}>
          Retry
        </Button>
      </>
    );
  }
  return (
    <>
      <Typography variant="body1">
        Mesh Security backend: <strong>{value?.status}</strong>
      </Typography>
      {value && value.clusters.length === 0 ? (
        <Typography variant="body2">No cluster sources are configured.</Typography>
      ) : (
        <List dense aria-label="Cluster sources">
          {value?.clusters.map(cluster => (
            <ListItem key={cluster.name}>
              <ListItemText primary={cluster.name} secondary={cluster.state} />
            </ListItem>
          ))}
        </List>
      )}
    </>
  );
};
