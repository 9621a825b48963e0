// Starts a store thread from its TypeScript source (tests, `tsx`): a worker begins without
// the main thread's TypeScript loader, so this registers tsx's, then loads the thread module.
// Built code starts the thread's .js file directly and never comes here.
import { register } from 'tsx/esm/api'

register()
await import(process.argv[2])
