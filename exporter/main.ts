#!/usr/bin/env node
// The whole command line, for a checkout and the monitoring host (dist/routerscope.mjs).
import { buildProgram } from './cli.ts';
import { addHostCommands } from './host-commands.ts';

await addHostCommands(buildProgram()).parseAsync(process.argv);
