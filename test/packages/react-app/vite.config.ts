// A plain React 19 + Vite app, two pages: the React chat answer and the headless-client page.
import react from '@vitejs/plugin-react'
import { defineConfig } from 'vite'

export default defineConfig({
  plugins: [react()],
  build: { rollupOptions: { input: ['index.html', 'client.html'] } },
})
