import { afterEach, beforeEach } from 'node:test';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { type AwsClientStub, mockClient } from 'aws-sdk-client-mock';

/**
 * SNS behind aws-sdk-client-mock for the tests of a file: `Publish` answers a message id unless a test says
 * otherwise, and each test gets a fresh client (`client()`), destroyed after it.
 */
export function mockedSns(): { readonly sns: AwsClientStub<SNSClient>; readonly client: () => SNSClient } {
  const sns = mockClient(SNSClient);
  let current: SNSClient | undefined;
  beforeEach(() => {
    sns.reset();
    sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
    current = new SNSClient({
      region: 'eu-west-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
  });
  afterEach(() => current?.destroy());
  return {
    sns,
    client: () => {
      if (!current) throw new Error('the SNS client exists only inside a test');
      return current;
    },
  };
}
