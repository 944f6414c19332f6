// Runs the fauxqs emulator (npm) on 127.0.0.1 only, for bench/compare.
// Usage: node fauxqs-server.mjs <port> <path to fauxqs/dist/app.js>
// fauxqs's own CLI and startFauxqs() listen on 0.0.0.0 with no option to change it, so this
// builds the same Fastify app with buildApp() (its public API) and listens on loopback.
// Prints "READY <port>" once listening; exits on SIGTERM/SIGINT.
import { pathToFileURL } from 'node:url';

const port = Number(process.argv[2]);
const appPath = process.argv[3];
if (!Number.isInteger(port) || port <= 0 || !appPath) {
  console.error('usage: fauxqs-server.mjs <port> <fauxqs/dist/app.js>');
  process.exit(2);
}
const { buildApp } = await import(pathToFileURL(appPath).href);
const app = buildApp({ logger: false, host: '127.0.0.1' });
await app.listen({ port, host: '127.0.0.1' });
console.log(`READY ${port}`);

function shutdown() {
  app.close().finally(() => process.exit(0));
  setTimeout(() => process.exit(0), 2000).unref();
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
