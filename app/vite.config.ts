import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/** The business app, built with `vite build app` (root app/), served by the API under /app (api/app-static.ts). */
export default defineConfig({
  base: '/app/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // Hashed names under assets/ are cached for a year by the API; index.html never is.
    assetsDir: 'assets',
    sourcemap: false,
  },
});
