// The one Node API node.ts uses (the package has no dependency on @types/node).
declare module "node:fs" {
  export function readFileSync(path: URL): Uint8Array;
}
