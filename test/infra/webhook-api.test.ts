import type { CfnElement } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { WEBHOOK_PATH } from '../../infra/webhook-api.js';
import { SAMPLE_ROUTING } from '../fixtures/relay-config.js';
import { synthesizeRelay } from './synthesize.js';

const { stack, template } = synthesizeRelay({
  ...SAMPLE_ROUTING,
  api: { rateLimit: 12, burstLimit: 34 },
  logRetentionDays: 90,
});

describe('WebhookApi', () => {
  it('answers exactly one route, POST /vomo', () => {
    const routes = Object.values(
      template.findResources('AWS::ApiGatewayV2::Route'),
    );

    expect(routes.map((route) => route.Properties.RouteKey)).toEqual([
      `POST ${WEBHOOK_PATH}`,
    ]);
  });

  it('hands the route to the receiver as a payload 2.0 proxy integration', () => {
    const integrations = Object.values(
      template.findResources('AWS::ApiGatewayV2::Integration'),
    );

    expect(integrations).toHaveLength(1);
    expect(integrations[0]?.Properties).toMatchObject({
      IntegrationType: 'AWS_PROXY',
      PayloadFormatVersion: '2.0',
      IntegrationUri: stack.resolve(stack.receiver.function.functionArn),
    });
  });

  it('throttles the default stage with the configured rate and burst', () => {
    template.resourceCountIs('AWS::ApiGatewayV2::Stage', 1);
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: {
        ThrottlingRateLimit: 12,
        ThrottlingBurstLimit: 34,
      },
    });
  });

  it('writes JSON access logs without headers to a log group with the configured retention', () => {
    const logs = stack.webhook.accessLogs;
    const [stage] = Object.values(
      template.findResources('AWS::ApiGatewayV2::Stage'),
    );
    const settings = stage?.Properties.AccessLogSettings;
    const groups = template.findResources('AWS::Logs::LogGroup');

    const fields = JSON.parse(settings.Format) as Record<string, string>;

    expect(settings.DestinationArn).toEqual(stack.resolve(logs.logGroupArn));
    expect(fields.requestId).toBe('$context.requestId');
    expect(fields.status).toBe('$context.status');
    expect(settings.Format).not.toMatch(/header|body|authorizer/i);
    expect(
      groups[stack.getLogicalId(logs.node.defaultChild as CfnElement)]
        ?.Properties.RetentionInDays,
    ).toBe(90);
  });

  it('builds the webhook URL from the API id and ends it with /vomo', () => {
    const url = stack.resolve(stack.webhook.webhookUrl);

    expect(url).toEqual({
      'Fn::Join': [
        '',
        [
          'https://',
          stack.resolve(stack.webhook.api.apiId),
          '.execute-api.',
          { Ref: 'AWS::Region' },
          '.',
          { Ref: 'AWS::URLSuffix' },
          '/vomo',
        ],
      ],
    });
  });
});
