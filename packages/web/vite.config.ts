// Builds the web UI into dist/, which the server serves at /. In development `vite` proxies the
// API to a server on 127.0.0.1:3000.
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const api = process.env.KLANG_API_URL ?? 'http://127.0.0.1:3000';

export default defineConfig({
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 800 },
  server: { proxy: { '/api': api } },
});
