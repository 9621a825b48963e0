// Builds the demo pages (the chat, the agent console) into dist/, served by the collector at
// /demo/; both load /tightloop.js.
import { defineConfig } from 'vite'

export default defineConfig({
  base: '/demo/',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact', development: false } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: true,
    rolldownOptions: { input: { chat: 'index.html', agent: 'agent.html' } },
  },
})
