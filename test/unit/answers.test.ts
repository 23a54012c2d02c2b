import { describe, expect, it } from 'vitest';
import {
  answerAccepted,
  answerRejected,
  REJECTION_STATUS,
  type RejectionReason,
} from '../../functions/receiver/answers.js';

const REASONS = Object.keys(REJECTION_STATUS) as RejectionReason[];

const UNAUTHORIZED_REASONS: RejectionReason[] = [
  'signature-missing',
  'signature-malformed',
  'signature-mismatch',
  'organization-unknown',
];

describe('REJECTION_STATUS', () => {
  it.each([
    ['body-not-json', 400],
    ['envelope-invalid', 400],
    ['body-not-sendable', 400],
    ['signature-missing', 401],
    ['signature-malformed', 401],
    ['signature-mismatch', 401],
    ['organization-unknown', 401],
    ['method-not-allowed', 405],
    ['body-too-large', 413],
    ['internal-error', 500],
    ['key-store-unavailable', 503],
    ['queue-unavailable', 503],
  ] as const)('answers %s with %i', (reason, status) => {
    expect(REJECTION_STATUS[reason]).toBe(status);
  });

  it('has a status for no reason beyond those above', () => {
    expect(REASONS).toHaveLength(12);
  });
});

describe('answerAccepted', () => {
  it('answers 200 with a small JSON body', () => {
    expect(answerAccepted()).toEqual({
      statusCode: 200,
      headers: { 'content-type': 'application/json' },
      body: '{"status":"accepted"}',
    });
  });
});

describe('answerRejected', () => {
  it.each(REASONS)(
    'answers %s with its status and a JSON message',
    (reason) => {
      const answer = answerRejected(reason);

      expect(answer.statusCode).toBe(REJECTION_STATUS[reason]);
      expect(answer.headers).toMatchObject({
        'content-type': 'application/json',
      });
      expect(JSON.parse(answer.body)).toEqual({ message: expect.any(String) });
    },
  );

  it('gives every unauthorized reason the very same answer', () => {
    const answers = UNAUTHORIZED_REASONS.map(answerRejected);

    expect(new Set(answers.map((answer) => JSON.stringify(answer))).size).toBe(
      1,
    );
    expect(answers[0]?.body).toBe('{"message":"Unauthorized"}');
  });

  it('names no reason in its message', () => {
    for (const reason of REASONS) {
      expect(answerRejected(reason).body).not.toContain(reason);
    }
  });

  it('tells a caller using the wrong method to use POST', () => {
    expect(answerRejected('method-not-allowed').headers).toEqual({
      'content-type': 'application/json',
      allow: 'POST',
    });
  });

  it('adds an allow header to no other answer', () => {
    const others = REASONS.filter((reason) => reason !== 'method-not-allowed');

    for (const reason of others) {
      expect(answerRejected(reason).headers).not.toHaveProperty('allow');
    }
  });
});
