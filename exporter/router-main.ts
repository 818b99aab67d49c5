#!/usr/bin/env node
// What a router runs (dist/routerscope-router.mjs, the bundle the .ipk installs): serve, once and
// check-config, without the monitoring host's report and its dependencies.
import { buildProgram } from './cli.ts';

await buildProgram().parseAsync(process.argv);
