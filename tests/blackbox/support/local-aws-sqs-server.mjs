// Runs the local-aws-sqs emulator (npm) in its own process so that it is started and stopped
// exactly like the Tern binary. Usage: node local-aws-sqs-server.mjs <port>
// Prints "READY <port>" on stdout once it listens; exits 0 on SIGTERM/SIGINT.
import { createSqsServer } from 'local-aws-sqs';

const port = Number(process.argv[2]);
if (!Number.isInteger(port) || port <= 0) {
  console.error('usage: local-aws-sqs-server.mjs <port>');
  process.exit(2);
}

const server = await createSqsServer({
  port,
  hostname: '127.0.0.1',
  region: 'us-east-1',
  accountId: '000000000000',
  // Every test uses a fresh random queue name, so the 60 s re-create rule never matters; keep
  // AWS's behaviour anyway.
  emulateQueueCreationLifecycle: true,
});
console.log(`READY ${port}`);

function shutdown() {
  server.close(() => process.exit(0));
  // Long polls keep sockets open; do not wait for them.
  server.closeAllConnections?.();
  setTimeout(() => process.exit(0), 2000).unref();
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
