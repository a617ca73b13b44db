import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** A Node-RED node module: the function Node-RED calls with its runtime API. */
type NodeModule = (red: unknown) => void;

/** The part of a runtime node the tests use (an EventEmitter with Node-RED's methods). */
export interface RuntimeNode {
  id: string;
  on(event: string, listener: (arg: RuntimeMessage & { args?: unknown[] }) => void): void;
  receive(msg: Record<string, unknown>): void;
}

export type RuntimeMessage = Record<string, unknown>;

/** The part of node-red-node-test-helper (a JavaScript package without types) the tests use. */
export interface NodeRedHelper {
  init(runtimePath: string, userSettings?: Record<string, unknown>): void;
  startServer(): Promise<void>;
  stopServer(): Promise<void>;
  load(
    nodes: NodeModule[],
    flow: Record<string, unknown>[],
    credentials: Record<string, unknown>,
  ): Promise<void>;
  unload(): Promise<void>;
  getNode(id: string): RuntimeNode | null;
}

const load = createRequire(__filename);

function isHelper(value: unknown): value is NodeRedHelper {
  const v = value as Partial<Record<keyof NodeRedHelper, unknown>> | null;
  return (
    v !== null &&
    typeof v === 'object' &&
    ['init', 'startServer', 'stopServer', 'load', 'unload', 'getNode'].every(
      (name) => typeof v[name as keyof NodeRedHelper] === 'function',
    )
  );
}

/** node-red-node-test-helper, initialised with the real node-red runtime of devDependencies. */
export function nodeRedHelper(settings: Record<string, unknown> = {}): NodeRedHelper {
  const helper: unknown = load('node-red-node-test-helper');
  if (!isHelper(helper)) throw new Error('node-red-node-test-helper does not have the expected API');
  helper.init(load.resolve('node-red'), settings);
  return helper;
}

/**
 * Every node module a Node-RED package declares in its package.json (`node-red.nodes`), loaded
 * from the files it names, as Node-RED itself finds them once the package is installed.
 */
export function packageNodes(packageDir: string): {
  name: string;
  keywords: string[];
  types: string[];
  files: Record<string, string>;
  modules: NodeModule[];
} {
  const manifest = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as {
    name: string;
    keywords?: string[];
    'node-red'?: { nodes?: Record<string, string> };
  };
  const nodes = manifest['node-red']?.nodes ?? {};
  const modules = Object.values(nodes).map((file) => {
    const loaded: unknown = load(join(packageDir, file));
    if (typeof loaded !== 'function') throw new Error(`${file} does not export a node module function`);
    return loaded as NodeModule;
  });
  return {
    name: manifest.name,
    keywords: manifest.keywords ?? [],
    types: Object.keys(nodes),
    files: nodes,
    modules,
  };
}

export const NODE_RED_PACKAGE = join(dirname(dirname(__dirname)), 'integrations', 'node-red');
