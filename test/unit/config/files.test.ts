import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

import t from 'tap';
import { parse } from 'yaml';

import { jsonSchema, parseConfig } from '../../../src/config';
import { CONFIG_SPEC, type ValueSpec } from '../../../src/config/keys';
import { issueKey } from './fixtures/helpers';

const CONFIG_DIR = join(__dirname, '..', '..', '..', 'config');

t.test('committed schema matches jsonSchema()', async (t) => {
  const committed = readFileSync(join(CONFIG_DIR, 'macvlan-shim.schema.json'), 'utf8');
  // The generator writes this exact text. When this fails, run
  // `node scripts/gen-schema.js` after the build.
  t.equal(committed, `${JSON.stringify(jsonSchema(), null, 2)}\n`);
});

t.test('schema follows the key table', async (t) => {
  const schema = jsonSchema() as Record<string, any>;
  t.equal(schema.$schema, 'https://json-schema.org/draft/2020-12/schema');
  t.same(Object.keys(schema.properties), ['log', 'resync', 'shims']);
  t.same(schema.required, ['shims']);
  t.equal(schema.additionalProperties, false);
  const shimSchema = schema.properties.shims.items;
  t.same(Object.keys(shimSchema.properties), Object.keys((CONFIG_SPEC.keys.shims as any).items.keys));
  t.same(shimSchema.required, ['name', 'parent']);
  t.same(shimSchema.properties.mode.enum, ['bridge', 'private', 'vepa', 'passthru']);
  t.same([shimSchema.properties.mtu.minimum, shimSchema.properties.mtu.maximum], [68, 65535]);
  t.equal(schema.properties.shims.minItems, 1);
  const aux = shimSchema.properties.docker.properties.aux_addresses;
  t.same(aux.oneOf.map((branch: any) => branch.type), ['array', 'object']);
});

t.test('schema patterns accept example', async (t) => {
  const schema = jsonSchema() as Record<string, any>;
  const shimProperties = schema.properties.shims.items.properties;
  const example = parse(readFileSync(join(CONFIG_DIR, 'example.yaml'), 'utf8'));
  const shimValues = example.shims[0];
  for (const key of ['name', 'parent', 'mac']) {
    t.match(shimValues[key], new RegExp(shimProperties[key].pattern), key);
  }
  for (const prefix of [...shimValues.addresses, ...shimValues.routes]) {
    t.match(prefix, new RegExp(shimProperties.addresses.items.pattern), prefix);
  }
});

t.test('example config has no issues', async (t) => {
  const text = readFileSync(join(CONFIG_DIR, 'example.yaml'), 'utf8');
  t.equal(text.split('\n')[0], '# yaml-language-server: $schema=./macvlan-shim.schema.json');
  const result = parseConfig(text, 'example.yaml');
  t.same(result.issues, []);
  t.ok(result.config);
});

t.test('example config sets every key', async (t) => {
  const example = parse(readFileSync(join(CONFIG_DIR, 'example.yaml'), 'utf8'));
  for (const path of missingKeys(CONFIG_SPEC, example, '')) {
    t.fail(`example.yaml does not show ${path}`);
  }
});

/** Lists the key-table keys that the value does not contain. */
function missingKeys(spec: ValueSpec, value: unknown, path: string): string[] {
  if (spec.type === 'list') {
    const first = Array.isArray(value) ? value[0] : undefined;
    return first === undefined ? [] : missingKeys(spec.items, first, `${path}[0]`);
  }
  if (spec.type !== 'mapping') {
    return [];
  }
  const record = (value ?? {}) as Record<string, unknown>;
  return Object.entries(spec.keys).flatMap(([key, child]) => {
    const childPath = path === '' ? key : `${path}.${key}`;
    if (!(key in record)) {
      return [childPath];
    }
    return missingKeys(child, record[key], childPath);
  });
}

t.test('broken examples give declared issues', async (t) => {
  const directory = join(CONFIG_DIR, 'broken');
  const files = readdirSync(directory).filter((name) => name.endsWith('.yaml'));
  t.ok(files.length >= 4, 'there are broken examples');
  for (const name of files) {
    const text = readFileSync(join(directory, name), 'utf8');
    const expected = [...text.matchAll(/^# expect: (.*)$/gm)].map((match) => match[1].trimEnd());
    t.ok(expected.length > 0, `${name} declares its issues`);
    const result = parseConfig(text, name);
    t.same(result.issues.map((issue) => issueKey(issue).trimEnd()).sort(), expected.sort(), name);
    t.equal(result.config, undefined, `${name} gives no config`);
  }
});
