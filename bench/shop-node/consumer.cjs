// What the tutorial's two consumers share: an sqs-consumer Consumer with the defaults the tutorial
// used (one message per receive, 20 s long polls, DeleteMessage after each handled message).
// sqs-consumer 14 takes the v3 SQSClient (the tutorial's era took `new AWS.SQS()`); the calls on
// the wire are the same: ReceiveMessage, then DeleteMessage.
// SHOP_NODE_BATCH_SIZE (not in the tutorial; default 1, the tutorial's) asks for up to that many
// messages per receive, for measuring how much of the gap is sqs-consumer's defaults.
const env = require('./env.cjs');
const { Consumer } = require('sqs-consumer');
const { SQSClient } = require('@aws-sdk/client-sqs');

module.exports = function consume(queueUrl, handle) {
  const app = Consumer.create({
    queueUrl,
    batchSize: Number(process.env.SHOP_NODE_BATCH_SIZE || 1),
    sqs: new SQSClient({ region: env.region, endpoint: env.endpoint }),
    handleMessage: async (message) => {
      handle(JSON.parse(message.Body));
      return message;  // sqs-consumer 14 deletes the messages the handler returns
    },
  });
  app.on('error', (err) => console.error(err.message));
  app.on('processing_error', (err) => console.error(err.message));
  app.start();
  const stop = () => {
    app.once('stopped', () => process.exit(0));
    app.stop({ abort: true });
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  return app;
};
