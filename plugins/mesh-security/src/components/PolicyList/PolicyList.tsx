import { CodeSnippet } from '@backstage/core-components';
import {
  Accordion,
  AccordionDetails,
  AccordionSummary,
  Typography,
} from '@material-ui/core';
import ExpandMoreIcon from '@material-ui/icons/ExpandMore';
import {
  AppliedPolicy,
  PolicyManifest,
} from '@mesh-security/plugin-mesh-security-common';
import { stringify } from 'yaml';

/** Policies of several workloads, each once. */
export function uniquePolicies(policies: AppliedPolicy[]): AppliedPolicy[] {
  const seen = new Map<string, AppliedPolicy>();
  for (const p of policies) {
    seen.set(`${p.apiVersion}/${p.kind}/${p.namespace}/${p.name}`, p);
  }
  return Array.from(seen.values()).sort((a, b) =>
    `${a.kind}/${a.namespace}/${a.name}`.localeCompare(
      `${b.kind}/${b.namespace}/${b.name}`,
    ),
  );
}

/**
 * A policy's manifest as YAML. Rendered only while its accordion is open (`unmountOnExit`), so
 * a long list costs nothing until a policy is looked at.
 */
const ManifestYaml = ({ manifest }: { manifest: PolicyManifest }) => (
  <CodeSnippet language="yaml" text={stringify(manifest)} showCopyCodeButton />
);

/** The applicable policies, each expandable to its YAML. */
export const PolicyList = ({ policies }: { policies: AppliedPolicy[] }) => {
  const list = uniquePolicies(policies);
  if (list.length === 0) {
    return (
      <Typography variant="body2" color="textSecondary">
        No PeerAuthentication, AuthorizationPolicy, DestinationRule, Linkerd
        policy or NetworkPolicy applies to these workloads.
      </Typography>
    );
  }
  return (
    <div role="region" aria-label="Applicable policies">
      {list.map(policy => {
        const name = `${policy.kind} ${policy.namespace}/${policy.name}`;
        return (
          <Accordion
            key={`${policy.apiVersion}/${name}`}
            TransitionProps={{ unmountOnExit: true }}
          >
            <AccordionSummary expandIcon={<ExpandMoreIcon />}>
              <Typography variant="body2">
                <strong>{policy.kind}</strong> {policy.namespace}/{policy.name}{' '}
                <Typography
                  component="span"
                  variant="caption"
                  color="textSecondary"
                >
                  {policy.apiVersion}
                </Typography>
              </Typography>
            </AccordionSummary>
            <AccordionDetails style={{ display: 'block' }}>
              <ManifestYaml manifest={policy.manifest} />
            </AccordionDetails>
          </Accordion>
        );
      })}
    </div>
  );
};
