// Builds the dashboard into dist/, served by the collector at /dashboard/.
import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vite'

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/dashboard/',
  // Vite 8 transforms TSX with oxc: automatic runtime, imported from preact.
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // One small bundle: the page is useless until the charts' code is there anyway.
    modulePreload: false,
  },
})
