// The tutorial's purchase server: Express + aws-sdk v2. An order is sent to the mileage queue,
// then to the product-tracking queue (two SendMessage calls, one after the other, awaited with
// .promise()), then answered. Nothing is stored, nothing is validated, nothing is retried: if the
// second send fails the first message is already out and the client gets a 500.
//
// Same order JSON, route and env as apps/shop's shop-purchase: POST (or GET) /purchase with
// {id, username, price, mileageAccumulated, trackingId}; PORT (3000), AWS_REGION,
// AWS_SQS_MILEAGE_URL, AWS_SQS_PRODUCT_TRACKING_URL, AWS_ENDPOINT_URL_SQS, the AWS_* keys.
const env = require('./env.cjs');
const express = require('express');
const AWS = require('aws-sdk');

AWS.config.update({ region: env.region });
const sqs = new AWS.SQS({ apiVersion: '2012-11-05', endpoint: env.endpoint });
const mileageUrl = env.required('AWS_SQS_MILEAGE_URL');
const trackingUrl = env.required('AWS_SQS_PRODUCT_TRACKING_URL');

const app = express();
app.use(express.json());

const purchase = async (req, res) => {
  const src = req.body && Object.keys(req.body).length > 0 ? req.body : req.query;
  const { id, username, price, mileageAccumulated, trackingId } = src;
  try {
    await sqs.sendMessage({
      MessageBody: JSON.stringify({ id, username, price, mileageAccumulated }),
      QueueUrl: mileageUrl,
    }).promise();
    await sqs.sendMessage({
      MessageBody: JSON.stringify({ id, username, trackingId }),
      QueueUrl: trackingUrl,
    }).promise();
    res.status(201).json({
      ok: true, id, status: 'accepted', order: { id, username, price, mileageAccumulated, trackingId },
    });
  } catch (err) {
    console.error(err);
    res.status(500).json({ ok: false, error: String(err) });
  }
};
app.get('/purchase', purchase);
app.post('/purchase', purchase);

const port = Number(process.env.PORT || 3000);
const server = app.listen(port, process.env.SHOP_HOST || '127.0.0.1', () => {
  console.log(`purchase server listening on port ${server.address().port}`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
process.on('SIGINT', () => server.close(() => process.exit(0)));
