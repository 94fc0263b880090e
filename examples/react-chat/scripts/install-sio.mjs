// Installs sio-client from this repository into node_modules/sio-client, the way a user gets
// it from the registry: `npm pack` of ../../pkg (which must be built: `cd ../../pkg && npm ci
// && npm run build`), extracted in place. It is not a "file:" dependency on purpose: a
// symlink would make Vite resolve React from pkg/node_modules (two Reacts), and the lock file
// would pin pkg's own dev dependencies. Run it again after every `npm ci` and package build.
//
//   node scripts/install-sio.mjs        (npm run install-sio)
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, mkdirSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const app = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const pkg = resolve(app, "../../pkg");
const tmp = mkdtempSync(join(tmpdir(), "sio-pack-"));
try {
  execFileSync("npm", ["pack", "--silent", "--pack-destination", tmp], { cwd: pkg, stdio: ["ignore", "ignore", "inherit"] });
  const tarball = readdirSync(tmp).find((f) => f.endsWith(".tgz"));
  if (!tarball) throw new Error("npm pack produced no tarball");
  const target = join(app, "node_modules", "sio-client");
  rmSync(target, { recursive: true, force: true });
  mkdirSync(target, { recursive: true });
  execFileSync("tar", ["-xzf", join(tmp, tarball), "-C", target, "--strip-components=1"]);
  console.log(`install-sio: ${tarball} -> node_modules/sio-client`);
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
