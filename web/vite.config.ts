// The web filter editor's build: Preact through esbuild's automatic JSX runtime (no framework
// plugin), into dist/web/static, which `sievert serve` serves. `npm run build` runs it.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = (p: string): string => fileURLToPath(new URL(p, import.meta.url));

export default defineConfig({
  root: here('.'),
  base: './',
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  build: {
    outDir: here('../dist/web/static'),
    emptyOutDir: true,
    target: 'es2022',
    reportCompressedSize: false,
  },
});
