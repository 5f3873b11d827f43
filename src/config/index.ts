/*
 * The config module: parses and checks the YAML config file, and describes
 * the result. It never logs, because it returns every problem as a
 * ConfigIssue.
 */
export { describeConfig } from './describe';
export { formatIssue } from './format';
export { hasBlockingIssues } from './issues';
export { loadConfigFile, type LoadOptions } from './load';
export { MAX_CONFIG_BYTES, parseConfig } from './parse';
export { jsonSchema } from './schema';
export type * from './types';
