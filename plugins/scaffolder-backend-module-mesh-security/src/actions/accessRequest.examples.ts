import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

/** The end of the current year: an expiry the action accepts whenever the example is read. */
const endOfYear = `${new Date().getUTCFullYear()}-12-31`;

/** Examples of `mesh-security:access:request`. */
export const examples: TemplateExample[] = [
  {
    description:
      'Let checkout GET /status on payments-api port 8080 (Istio), expiring at the end of the year',
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
            methods: ['GET'],
            paths: ['/status'],
            justification:
              'Checkout shows the payment status page after an order.',
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
      'Let reporting GET /reports/* on analytics-api port 8080 (Linkerd, once its Server has HTTPRoutes in the policy file: an HTTPRoute with its own AuthorizationPolicy)',
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
