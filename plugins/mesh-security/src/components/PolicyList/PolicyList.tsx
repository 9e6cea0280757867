import { CodeSnippet } from '@backstage/core-components';
import {
  Accordion,
  AccordionDetails,
  AccordionSummary,
  Typography,
} from '@material-ui/core';
import ExpandMoreIcon from '@material-ui/icons/ExpandMore';
import { AppliedPolicy } from '@mesh-security/plugin-mesh-security-common';

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
            <AccordionSummary expandIcon={<ExpandMoreIcon />} aria-label={name}>
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
              <CodeSnippet
                language="yaml"
                text={policy.yaml}
                showCopyCodeButton
              />
            </AccordionDetails>
          </Accordion>
        );
      })}
    </div>
  );
};
