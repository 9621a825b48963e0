#!/usr/bin/env node
// The `tightloop` command: loads the TypeScript CLI through tsx, in this same process.
import { register } from 'tsx/esm/api'

register()
const { endQuietlyOnClosedPipe } = await import('../src/cli/pipe.ts')
endQuietlyOnClosedPipe(process.stdout, process.stderr)
const { main } = await import('../src/cli/main.ts')
process.exitCode = await main(process.argv.slice(2))
