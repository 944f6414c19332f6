// The tutorial's `require('dotenv').config()`, without the dotenv package: `.env` in the working
// directory fills in what the environment does not set (a real environment variable wins), and
// the aws-sdk v2 maintenance banner is silenced.
const fs = require('node:fs');

if (fs.existsSync('.env')) process.loadEnvFile('.env');
process.env.AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE = '1';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const required = (name) => {
  const v = process.env[name];
  if (!v) {
    console.error(`${name} is required`);
    process.exit(2);
  }
  return v;
};

module.exports = {
  region: process.env.AWS_REGION || process.env.AWS_DEFAULT_REGION || required('AWS_REGION'),
  // aws-sdk v2 does not read AWS_ENDPOINT_URL_SQS; pass it on when it is set.
  endpoint: process.env.AWS_ENDPOINT_URL_SQS || undefined,
  required,
};
