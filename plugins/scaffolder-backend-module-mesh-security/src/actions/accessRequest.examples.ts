import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

/** The end of the current year: an expiry the action accepts whenever the example is read. */
const endOfYear = `${new Date().getUTCFullYear()}-12-31`;

/** Examples of `mesh-security:access:request`. */
export const examples: TemplateExample[] = [
  {
    description:
      'Let checkout POST /charge on payments-api port 8080 (Istio), expiring at the end of the year',
    example: yaml.stringify({
      steps: [
        {
          id: 'request',
          action: 'mesh-security:access:request',
          name: 'Request access',
          input: {
            target: 'component:default/payments-api',
            callers: ['component:default/checkout'],
            ports: [8080],
            methods: ['POST'],
            paths: ['/charge'],
            justification: 'Checkout charges cards when an order is placed.',
            expiry: endOfYear,
          },
        },
      ],
    }),
  },
  {
    description:
      'Let a service account, named by its Linkerd identity, call analytics-api on port 8080',
    example: yaml.stringify({
      steps: [
        {
          id: 'request',
          action: 'mesh-security:access:request',
          name: 'Request access',
          input: {
            target: 'component:default/analytics-api',
            callers: [
              'reporting.data.serviceaccount.identity.linkerd.cluster.local',
            ],
            ports: [8080],
            justification: 'The nightly report reads sales figures.',
          },
        },
      ],
    }),
  },
  {
    description:
      'Let reporting GET /reports/* on analytics-api port 8080 (Linkerd: an HTTPRoute with its own AuthorizationPolicy)',
    example: yaml.stringify({
      steps: [
        {
          id: 'request',
          action: 'mesh-security:access:request',
          name: 'Request access',
          input: {
            target: 'component:default/analytics-api',
            callers: [
              'reporting.data.serviceaccount.identity.linkerd.cluster.local',
            ],
            ports: [8080],
            methods: ['GET'],
            paths: ['/reports/*'],
            justification:
              'The nightly report reads the report endpoints only.',
          },
        },
      ],
    }),
  },
];
