import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

/** Examples of `mesh-security:mtls:enforce`. */
export const examples: TemplateExample[] = [
  {
    description: 'Make every port of inventory accept only mTLS',
    example: yaml.stringify({
      steps: [
        {
          id: 'enforce',
          action: 'mesh-security:mtls:enforce',
          name: 'Enforce STRICT mTLS',
          input: {
            target: 'component:default/inventory',
            scope: 'workload',
            justification:
              'All callers are meshed since the storefront migration.',
          },
        },
      ],
    }),
  },
  {
    description:
      'Enforce on checkout although the mesh observed plaintext callers (they will be refused)',
    example: yaml.stringify({
      steps: [
        {
          id: 'enforce',
          action: 'mesh-security:mtls:enforce',
          name: 'Enforce STRICT mTLS despite observed plaintext',
          input: {
            target: 'component:default/checkout',
            justification:
              'The plaintext caller is the retired health checker; it may break.',
            allowObservedPlaintext: true,
          },
        },
      ],
    }),
  },
];
