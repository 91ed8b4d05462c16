import { lazy } from '../../../shared/lazy.js';
import { ACK_LINK_KEY_ENV } from '../../alert-routes.js';
import type { AckLinkContext } from '../../handlers/ack-link.js';
import { awsAckLinkKey } from './ack-link-key.js';
import { awsAlertingContext } from './alerting-dependencies.js';

/** The acknowledge-link route in AWS: alerting as everywhere, and the key from Secrets Manager. */
export const awsAckLinkContext = lazy((): AckLinkContext => {
  const key = awsAckLinkKey();
  if (!key)
    throw new Error(`${ACK_LINK_KEY_ENV} is not set: the acknowledge-link function needs the key's secret`);
  return { alerting: awsAlertingContext(), key };
});
