#!/usr/bin/env node
import { endOnClosedPipe } from './io.js';
import { main } from './main.js';

endOnClosedPipe(process.stdout, (code) => process.exit(code));
endOnClosedPipe(process.stderr, (code) => process.exit(code));
process.exitCode = await main(process.argv);
