import {
  CONFIG_SPEC,
  MAC_PATTERN,
  type ListSpec,
  type MappingSpec,
  type StringFormat,
  type ValueSpec,
} from './keys';

type SchemaObject = Record<string, unknown>;

/*
 * Schema fragments per string format. The validator checks more than JSON
 * Schema can express (address arithmetic, name length in bytes, Docker
 * cross-checks), so the schema states the looser rule, and editors do not
 * flag a config that the validator accepts.
 */
const FORMAT_SCHEMAS: Record<StringFormat, SchemaObject> = {
  // maxLength counts characters, and a character is at least one byte.
  'interface-name': {
    minLength: 1,
    maxLength: 15,
    pattern: '^[^/:%\\t\\n\\v\\f\\r ]+$',
  },
  cidr: { pattern: '^[0-9A-Fa-f:.]+/[0-9]{1,3}$' },
  address: { pattern: '^[0-9A-Fa-f:.]+$' },
  mac: { pattern: MAC_PATTERN.source },
};

/**
 * Builds the JSON Schema (draft 2020-12) of the config file from the same key
 * table that the validator uses.
 */
export function jsonSchema(): SchemaObject {
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    title: 'macvlan-shim configuration',
    ...specSchema(CONFIG_SPEC),
  };
}

function specSchema(spec: ValueSpec): SchemaObject {
  const description = spec.description;
  switch (spec.type) {
    case 'string':
      return { type: 'string', description, ...FORMAT_SCHEMAS[spec.format] };
    case 'enum':
      return { enum: [...spec.values], default: spec.default, description };
    case 'boolean':
      return { type: 'boolean', default: spec.default, description };
    case 'integer':
      return {
        type: 'integer',
        minimum: spec.minimum,
        maximum: spec.maximum,
        ...(spec.default === undefined ? {} : { default: spec.default }),
        description,
      };
    case 'list':
      return listSchema(spec);
    case 'mapping':
      return mappingSchema(spec);
  }
}

function listSchema(spec: ListSpec): SchemaObject {
  const array: SchemaObject = {
    type: 'array',
    items: specSchema(spec.items),
    ...(spec.minItems > 0 ? { minItems: spec.minItems } : {}),
  };
  if (spec.allowNamedMapping !== true) {
    return { ...array, description: spec.description };
  }
  const named = {
    type: 'object',
    additionalProperties: specSchema(spec.items),
  };
  return { description: spec.description, oneOf: [array, named] };
}

function mappingSchema(spec: MappingSpec): SchemaObject {
  const properties: SchemaObject = {};
  for (const [key, value] of Object.entries(spec.keys)) {
    properties[key] = specSchema(value);
  }
  return {
    type: 'object',
    description: spec.description,
    properties,
    ...(spec.required.length > 0 ? { required: [...spec.required] } : {}),
    additionalProperties: false,
  };
}
