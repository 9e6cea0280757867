import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { getDefaultFormState } from '@rjsf/utils';
import { customizeValidator } from '@rjsf/validator-ajv8';
import ajvErrors from 'ajv-errors';
import { extractSchemaFromStep } from '@backstage/plugin-scaffolder-react/alpha';

/*
 * The scaffolder form of every template in catalog/templates, computed as the scaffolder's
 * Stepper computes it (same rjsf defaults behaviour, same validator with ajv-errors). A form
 * that opens with `[undefined]` in an entity picker's list crashes MultiEntityPicker before the
 * user can type anything (backstage/backstage#27315: `minItems` on its array).
 */
const templatesDir = path.resolve(__dirname, '../../../catalog/templates');
const templateFiles = fs
  .readdirSync(templatesDir)
  .filter(file => file.endsWith('.yaml'));

const validator = customizeValidator();
ajvErrors(validator.ajv);

type Step = { title: string; properties: Record<string, any> };

function steps(file: string): Step[] {
  const template = parse(
    fs.readFileSync(path.join(templatesDir, file), 'utf8'),
  );
  return template.spec.parameters;
}

function containsUndefined(value: unknown): boolean {
  if (value === undefined) return true;
  if (Array.isArray(value)) return value.some(containsUndefined);
  if (value && typeof value === 'object') {
    return Object.values(value).some(containsUndefined);
  }
  return false;
}

describe('templates in catalog/templates', () => {
  it('finds the three Mesh Security templates', () => {
    expect(templateFiles.sort()).toEqual([
      'enforce-mtls.yaml',
      'request-access.yaml',
      'revoke-access.yaml',
    ]);
  });

  describe.each(templateFiles)('%s', file => {
    it.each([
      ['opened from the template list', {}],
      [
        'opened from a Security tab',
        { target: 'component:default/payments-api' },
      ],
    ])('starts every step without empty list entries when %s', (_, query) => {
      for (const step of steps(file)) {
        const { schema } = extractSchemaFromStep(step as any);
        const formData = getDefaultFormState(
          validator,
          schema,
          query,
          schema,
          false,
          { allOf: 'populateDefaults' },
        );
        expect({
          step: step.title,
          undefinedEntries: containsUndefined(formData),
        }).toEqual({
          step: step.title,
          undefinedEntries: false,
        });
      }
    });
  });

  describe.each(['request-access.yaml', 'revoke-access.yaml'])(
    '%s callers',
    file => {
      const [first] = steps(file);
      const { schema } = extractSchemaFromStep(first as any);
      const target = 'component:default/payments-api';

      it('asks for at least one caller, in words', () => {
        const { errors } = validator.validateFormData(
          { target, callers: [] },
          schema,
        );
        expect(errors.map(e => e.message)).toEqual([
          'Pick at least one calling component',
        ]);
      });

      it('accepts callers picked from the catalog', () => {
        const { errors } = validator.validateFormData(
          { target, callers: ['component:default/checkout'] },
          schema,
        );
        expect(errors).toEqual([]);
      });
    },
  );

  describe.each(['request-access.yaml', 'revoke-access.yaml'])(
    '%s ports and paths',
    file => {
      const [, second] = steps(file);
      const { schema } = extractSchemaFromStep(second as any);

      it('explains a wrong path in words, not with the regular expression', () => {
        const { errors } = validator.validateFormData(
          { paths: ['/ok', 'charge now'] },
          schema,
        );
        expect(errors).toHaveLength(1);
        expect(errors[0].message).toMatch(/^Write a path such as \/charge/);
        expect(errors[0].message).not.toContain('^(');
        expect(errors[0].property).toBe('.paths.1');
      });

      it('explains a port out of range in words', () => {
        const { errors } = validator.validateFormData(
          { ports: [8080, 70000, 0] },
          schema,
        );
        expect(errors.map(e => [e.property, e.message])).toEqual([
          ['.ports.1', 'A port is a whole number from 1 to 65535'],
          ['.ports.2', 'A port is a whole number from 1 to 65535'],
        ]);
      });

      it('accepts exact, prefix and suffix paths', () => {
        const { errors } = validator.validateFormData(
          { ports: [8080], paths: ['/charge', '/api/*', '*.json'] },
          schema,
        );
        expect(errors).toEqual([]);
      });

      it('labels each entry instead of ports-0', () => {
        expect(second.properties.ports.items.title).toBe('Port');
        expect(second.properties.paths.items.title).toBe('HTTP path');
      });
    },
  );

  describe.each(templateFiles)('%s texts', file => {
    it('asks for a longer justification in words', () => {
      const step = steps(file).find(s => s.properties.justification)!;
      const { schema } = extractSchemaFromStep(step as any);
      const { errors } = validator.validateFormData(
        {
          ...getDefaultFormState(validator, schema, {}, schema),
          justification: 'short',
        },
        schema,
      );
      expect(errors.map(e => e.message)).toContain(
        'Write at least 10 characters, so the reviewers know why',
      );
    });

    it('keeps * and _ inside code spans, as descriptions are rendered as Markdown', () => {
      for (const step of steps(file)) {
        for (const property of Object.values(step.properties)) {
          const text: string = property.description ?? '';
          const outsideCode = text.replace(/`[^`]*`/g, '');
          expect({ text, markup: /[*_]/.test(outsideCode) }).toEqual({
            text,
            markup: false,
          });
        }
      }
    });
  });
});
