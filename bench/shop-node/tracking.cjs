// The tutorial's product-tracking consumer: records the order's tracking id (in memory) and logs it.
const env = require('./env.cjs');
const consume = require('./consumer.cjs');

const tracking = new Map();
consume(env.required('AWS_SQS_PRODUCT_TRACKING_URL'), ({ id, username, trackingId }) => {
  tracking.set(id, { username, trackingId });
  console.log(`productTrackingId: ${trackingId}`);
});
console.log('tracking consumer started');
