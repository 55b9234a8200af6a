import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Router } from 'express';

const require = createRequire(import.meta.url);

/** The console's files, read once: its script and styles, and uPlot from node_modules. */
const FILES: Record<string, { path: string; type: string }> = {
  'console.css': { path: fileURLToPath(new URL('./assets/console.css', import.meta.url)), type: 'text/css' },
  'console.js': {
    path: fileURLToPath(new URL('./assets/console.js', import.meta.url)),
    type: 'text/javascript',
  },
  'uPlot.iife.min.js': { path: require.resolve('uplot/dist/uPlot.iife.min.js'), type: 'text/javascript' },
  'uPlot.min.css': { path: require.resolve('uplot/dist/uPlot.min.css'), type: 'text/css' },
};

/** Serves the console's assets from the app itself: no page asks another host for anything. */
export function assetsRouter(): Router {
  const router = Router();
  const loaded = new Map<string, Buffer>();
  router.get('/:file', (req, res, next) => {
    const file = Object.hasOwn(FILES, req.params.file) ? FILES[req.params.file] : undefined;
    if (!file) return next();
    let body = loaded.get(req.params.file);
    if (!body) {
      body = readFileSync(file.path);
      loaded.set(req.params.file, body);
    }
    res.setHeader('Cache-Control', 'public, max-age=3600');
    res.type(file.type).send(body);
  });
  return router;
}
