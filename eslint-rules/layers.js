// Enforces DESIGN.md §2: which layer may import which. A table, not a convention.
import { builtinModules } from 'node:module';
import path from 'node:path';

/** Each layer: the layers it may import, whether Node built-ins are allowed, the packages allowed. */
export const LAYERS = {
  shared: { layers: ['shared'], node: false, packages: ['zod'] },
  redirect: { layers: ['shared', 'redirect'], node: true, packages: [] },
  registry: { layers: ['shared', 'registry'], node: true, packages: [] },
  'fvm-core': { layers: ['shared', 'redirect', 'registry', 'fvm-core'], node: true, packages: ['tar', 'chokidar', 'zod'] },
  cli: { layers: ['shared', 'redirect', 'registry', 'fvm-core', 'cli'], node: true, packages: ['ws', 'zod'] },
  main: { layers: ['shared', 'fvm-core', 'main'], node: true, packages: ['electron', 'zod'] },
  preload: { layers: ['shared', 'preload'], node: false, packages: ['electron'] },
  renderer: { layers: ['shared', 'renderer'], node: false, packages: ['react', 'react-dom', 'zustand', 'zod'] },
};

/** Layer of a file, from its path relative to the project root, or null for tests/scripts. */
export function layerOf(rel) {
  const parts = rel.split(path.sep);
  if (parts[0] === 'src' && parts[1] in LAYERS) return parts[1];
  if (parts[0] === 'main' || parts[0] === 'preload' || parts[0] === 'renderer') return parts[0];
  return null;
}

const builtins = new Set(builtinModules);

function packageName(spec) {
  const parts = spec.split('/');
  return spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

export default {
  meta: {
    type: 'problem',
    docs: { description: 'Layer boundaries of DESIGN.md §2' },
    schema: [{ type: 'object', properties: { root: { type: 'string' } } }],
  },
  create(context) {
    const root = context.options[0]?.root ?? context.cwd;
    const file = context.filename;
    const from = layerOf(path.relative(root, file));
    if (!from) return {};
    const rule = LAYERS[from];
    function check(node, spec) {
      if (typeof spec !== 'string') return;
      if (spec.startsWith('.') || spec.startsWith('/')) {
        const target = layerOf(path.relative(root, path.resolve(path.dirname(file), spec)));
        if (target && !rule.layers.includes(target)) {
          context.report({ node, message: `layer '${from}' may not import layer '${target}' (${spec})` });
        } else if (!target) {
          context.report({ node, message: `layer '${from}' may not import outside the layers (${spec})` });
        }
        return;
      }
      const isNode = spec.startsWith('node:') || builtins.has(packageName(spec));
      if (isNode) {
        if (!rule.node) context.report({ node, message: `layer '${from}' may not import Node built-ins (${spec})` });
        return;
      }
      if (!rule.packages.includes(packageName(spec))) {
        context.report({ node, message: `layer '${from}' may not import package '${packageName(spec)}'` });
      }
    }
    return {
      ImportDeclaration: (n) => check(n, n.source.value),
      ExportAllDeclaration: (n) => check(n, n.source.value),
      ExportNamedDeclaration: (n) => n.source && check(n, n.source.value),
      ImportExpression: (n) => n.source.type === 'Literal' && check(n, n.source.value),
    };
  },
};
