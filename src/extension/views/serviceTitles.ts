/** Display names of the services in event-templates/ (ids follow SAM's `generate-event` service names). */
const titles: Record<string, string> = {
  alb: 'Application Load Balancer',
  'alexa-skills-kit': 'Alexa Skills Kit',
  'alexa-smart-home': 'Alexa Smart Home',
  apigateway: 'API Gateway',
  appsync: 'AppSync',
  cloudformation: 'CloudFormation',
  cloudfront: 'CloudFront (Lambda@Edge)',
  cloudwatch: 'CloudWatch',
  codecommit: 'CodeCommit',
  codepipeline: 'CodePipeline',
  cognito: 'Cognito Sync',
  'cognito-idp': 'Cognito User Pools',
  config: 'AWS Config',
  connect: 'Amazon Connect',
  dynamodb: 'DynamoDB Streams',
  eventbridge: 'EventBridge',
  iot: 'AWS IoT',
  iotevents: 'IoT Events',
  kafka: 'Kafka (MSK, self-managed)',
  kinesis: 'Kinesis',
  lambda: 'Lambda',
  'lex-v2': 'Lex V2',
  mq: 'Amazon MQ',
  s3: 'Amazon S3',
  secretsmanager: 'Secrets Manager',
  ses: 'Amazon SES',
  sns: 'Amazon SNS',
  sqs: 'Amazon SQS',
};

export function serviceTitle(service: string): string {
  return titles[service] ?? service;
}
