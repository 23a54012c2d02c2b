import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';

/** The CloudWatch namespace every function of the relay publishes to. */
export const METRICS_NAMESPACE = 'VomoRelay';

/** A structured JSON logger; Powertools adds the Lambda context per request. */
export function createLogger(serviceName: string): Logger {
  return new Logger({ serviceName });
}

/** Metrics written as EMF log lines: no API call on the request path. */
export function createMetrics(serviceName: string): Metrics {
  return new Metrics({ namespace: METRICS_NAMESPACE, serviceName });
}
