import { Stack } from 'aws-cdk-lib';
import type { IGrantable } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { type ITopic, SubscriptionFilter, SubscriptionProtocol, Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription, UrlSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { SEVERITIES, type Severity } from '../../lambdas/alerts/core/alert.js';
import type { FilterPolicy, SubscriptionConfig, SubscriptionsConfig } from '../config/schema.js';
import { grantPublishToEncryptedTopic } from './alerting.js';

/** Properties of {@link NotificationTopics}. */
export interface NotificationTopicsProps {
  /** The environment's name, for the topics' display names. */
  readonly environmentName: string;

  /** The key that encrypts the topics. */
  readonly key: IKey;

  /** The email and HTTPS endpoints of each severity's topic, with their filter policies. */
  readonly subscriptions: SubscriptionsConfig;
}

/**
 * One SNS topic per incident severity (critical, high, warning, info), encrypted with the environment's key
 * and refusing plain HTTP, which the escalation workflow publishes incident notices to with message
 * attributes (kind, event, severity, environment, incidentId, model, tier) that subscription filter policies
 * match; the email and HTTPS endpoints of the config are subscribed to their severity's topic.
 */
export class NotificationTopics extends Construct {
  /** The topic of each severity. */
  readonly topics: Readonly<Record<Severity, ITopic>>;

  constructor(scope: Construct, id: string, props: NotificationTopicsProps) {
    super(scope, id);
    const topics = {} as Record<Severity, ITopic>;
    for (const severity of SEVERITIES) {
      const topic = new Topic(this, pascalCase(severity), {
        displayName: `Vigil ${props.environmentName} ${severity} incidents`,
        masterKey: props.key,
        enforceSSL: true,
      });
      for (const subscription of props.subscriptions[severity])
        topic.addSubscription(snsSubscription(subscription));
      topics[severity] = topic;
    }
    this.topics = topics;
  }

  /** Every topic, in severity order. */
  get allTopics(): ITopic[] {
    return SEVERITIES.map((severity) => this.topics[severity]);
  }

  /** The topics' ARNs by severity, as the JSON object `VIGIL_SEVERITY_TOPIC_ARNS` holds (resolved at deploy). */
  topicArnsJson(): string {
    return Stack.of(this).toJsonString(
      Object.fromEntries(SEVERITIES.map((severity) => [severity, this.topics[severity].topicArn])),
    );
  }

  /** Lets a principal publish to every severity topic, and to nothing else. */
  grantPublish(grantee: IGrantable): void {
    for (const topic of this.allTopics) grantPublishToEncryptedTopic(topic, grantee);
  }
}

/** The SNS subscription of a configured endpoint. */
function snsSubscription(subscription: SubscriptionConfig) {
  const filterPolicy = subscription.filterPolicy && subscriptionFilters(subscription.filterPolicy);
  if (subscription.protocol === 'email')
    return new EmailSubscription(subscription.endpoint, { filterPolicy });
  return new UrlSubscription(subscription.endpoint, {
    protocol: SubscriptionProtocol.HTTPS,
    rawMessageDelivery: subscription.rawMessageDelivery,
    filterPolicy,
  });
}

/**
 * A filter policy as SNS writes it, in the CDK's form: each attribute's conditions as they are, since the
 * config holds them in SNS's own syntax already (the CDK renders `SubscriptionFilter.conditions` verbatim).
 */
function subscriptionFilters(policy: FilterPolicy): Record<string, SubscriptionFilter> {
  return Object.fromEntries(
    Object.entries(policy).map(([attribute, conditions]) => [
      attribute,
      new SubscriptionFilter([...conditions]),
    ]),
  );
}

/** `critical` -> `Critical`, for construct ids. */
function pascalCase(word: string): string {
  return `${word.charAt(0).toUpperCase()}${word.slice(1)}`;
}
