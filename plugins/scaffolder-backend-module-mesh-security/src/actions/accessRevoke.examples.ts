import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

/** Examples of `mesh-security:access:revoke`. */
export const examples: TemplateExample[] = [
  {
    description: "Remove checkout's access to payments-api",
    example: yaml.stringify({
      steps: [
        {
          id: 'revoke',
          action: 'mesh-security:access:revoke',
          name: 'Revoke access',
          input: {
            target: 'component:default/payments-api',
            callers: ['component:default/checkout'],
            justification: 'Checkout now charges through the payments gateway.',
          },
        },
      ],
    }),
  },
  {
    description:
      'Remove only GET /status from checkout on payments-api; its other access, and every other caller, stay',
    example: yaml.stringify({
      steps: [
        {
          id: 'revoke',
          action: 'mesh-security:access:revoke',
          name: 'Revoke access',
          input: {
            target: 'component:default/payments-api',
            callers: ['component:default/checkout'],
            methods: ['GET'],
            paths: ['/status'],
            justification: 'Checkout no longer shows the payment status page.',
          },
        },
      ],
    }),
  },
];
