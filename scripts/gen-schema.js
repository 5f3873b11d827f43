#!/usr/bin/env node
// Writes config/macvlan-shim.schema.json from the compiled config module.
// Run after the build: npx tsc -p tsconfig.json && node scripts/gen-schema.js
'use strict';

const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const { jsonSchema } = require(path.join(root, 'dist', 'config', 'index.js'));
const target = path.join(root, 'config', 'macvlan-shim.schema.json');

fs.writeFileSync(target, `${JSON.stringify(jsonSchema(), null, 2)}\n`);
process.stdout.write(`wrote ${path.relative(root, target)}\n`);
