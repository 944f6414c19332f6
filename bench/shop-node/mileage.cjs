// The tutorial's mileage consumer: new mileage = accumulated + 2% of the price, logged.
// The record is kept in memory (order id -> mileage), as the tutorial keeps nothing at all.
const env = require('./env.cjs');
const consume = require('./consumer.cjs');

const mileage = new Map();
consume(env.required('AWS_SQS_MILEAGE_URL'), ({ id, username, price, mileageAccumulated }) => {
  const newMileage = Number(mileageAccumulated) + Number(price) * 0.02;
  mileage.set(id, { username, newMileage });
  console.log(`newMileage: ${newMileage}`);
});
console.log('mileage consumer started');
