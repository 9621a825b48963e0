// Builds the server into dist/ for plain `node` (`pnpm build`; production: node dist/main.js):
// the app and the workspace packages bundled into ES modules, the store's threads as files of
// their own beside main.js, the database drivers left to node_modules.
import { defineConfig } from 'vite'

const STORE = '../../packages/collector/src/store'

export default defineConfig({
  build: {
    ssr: true,
    target: 'node20',
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: true,
    minify: false,
    rolldownOptions: {
      input: {
        main: 'src/main.ts',
        'sqlite-writer-thread': `${STORE}/sqlite-writer-thread.ts`,
        'sqlite-checkpointer-thread': `${STORE}/sqlite-checkpointer-thread.ts`,
      },
      external: ['better-sqlite3', 'pg'],
      // Chunks beside main.js: the store finds its threads, and the assets their folders, by
      // paths relative to the module they are in.
      output: { format: 'es', entryFileNames: '[name].js', chunkFileNames: '[name]-[hash].js' },
    },
  },
  ssr: { noExternal: true },
})
