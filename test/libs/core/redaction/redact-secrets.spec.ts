import { redactSecrets } from '@cello/core/redaction/redact-secrets';

/** Passwords a user may really have, each with a character that broke the old redaction. */
const PASSWORDS = [
  'simple',
  'with/slash',
  'with#hash',
  'with@at',
  'with?question',
  'with:colon',
  'a/b#c@d?e:f',
  'sp ace',
  'pre%2Fencoded%40',
  'x://y',
  'ends@',
];

describe('redactSecrets', () => {
  describe('when a URL holds a password', () => {
    it.each(PASSWORDS)('should remove the whole user info of postgres://app:%s@db/shop', (pw) => {
      // When
      const redacted = redactSecrets(`postgres://app:${pw}@db:5432/shop?sslmode=require`);

      // Then
      expect(redacted).toBe('postgres://***@db:5432/shop?sslmode=require');
    });

    it.each(PASSWORDS)('should remove it from a log line that carries the URL (%s)', (pw) => {
      // When
      const redacted = redactSecrets(
        `Saga storage at mysql://app:${pw}@db:3306/shop is unreachable (connect ECONNREFUSED).`,
      );

      // Then
      expect(redacted).toBe(
        'Saga storage at mysql://***@db:3306/shop is unreachable (connect ECONNREFUSED).',
      );
    });

    it('should redact each of two URLs in one text', () => {
      expect(redactSecrets('from postgres://a:p/1@h1/db to "mysql://b:q#2@h2/db"')).toBe(
        'from postgres://***@h1/db to "mysql://***@h2/db"',
      );
    });

    it('should remove a user name without a password too', () => {
      expect(redactSecrets('postgres://app@db/shop')).toBe('postgres://***@db/shop');
    });
  });

  describe('when a password is a parameter', () => {
    it.each([
      'password',
      'PASSWORD',
      'passwd',
      'pwd',
      'secret',
      'client_secret',
      'token',
      'access_token',
      'key',
      'api-key',
      'sslpassword',
      'sslkey',
      'auth',
      'pass%77ord',
    ])('should remove the value of ?%s=', (name) => {
      // When
      const redacted = redactSecrets(
        `postgres://db/shop?sslmode=require&${name}=a/b#c?d:e%40f&application_name=x`,
      );

      // Then
      expect(redacted).toBe(`postgres://db/shop?sslmode=require&${name}=***&application_name=x`);
    });

    it('should hide a parameter password holding @ whole, with what precedes it', () => {
      expect(redactSecrets('postgres://db/shop?password=p@ss&application_name=x')).toBe(
        'postgres://***&application_name=x',
      );
    });

    it('should remove both user info and a password parameter', () => {
      expect(redactSecrets('postgres://u:p@db/shop?password=q')).toBe(
        'postgres://***@db/shop?password=***',
      );
    });

    it('should remove passwords from keyword/value connection strings', () => {
      expect(redactSecrets("host=db user=app password='s p#c' dbname=shop")).toBe(
        'host=db user=app password=*** dbname=shop',
      );
      expect(redactSecrets('Server=db;User Id=app;Password=s3cr#t;Database=shop')).toBe(
        'Server=db;User Id=app;Password=***',
      );
    });
  });

  describe('when there is nothing secret', () => {
    it.each([
      'postgres://db:5432/shop',
      'postgres://db/shop?sslmode=require&application_name=cello',
      'memory',
      'not a url at all: user@example.com',
      'http://localhost:3000/orders',
      '',
      'connect ECONNREFUSED 127.0.0.1:5432',
    ])('should leave %j as it is', (text) => {
      expect(redactSecrets(text)).toBe(text);
    });
  });
});
