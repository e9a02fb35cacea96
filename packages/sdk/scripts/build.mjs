// Builds dist/esm (import) and dist/cjs (require), each with its type declarations.
import { execFileSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';

const root = new URL('../', import.meta.url);
rmSync(new URL('dist', root), { recursive: true, force: true });
for (const config of ['tsconfig.build.json', 'tsconfig.cjs.json']) {
  execFileSync('tsc', ['-p', config], { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
}
// Node reads .js under dist/cjs as CommonJS only with this marker (the package itself is ESM).
writeFileSync(new URL('dist/cjs/package.json', root), '{ "type": "commonjs" }\n');
