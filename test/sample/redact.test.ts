import { describe, expect, it } from 'vitest';
import { redactArgs, redactCmdline } from '../../src/sample/redact.js';
import { redactText } from '../../src/sample/redact-text.js';

/** Every shape of secret in a command line: argv in, argv out; the secret (SECRET…) must be gone. */
const CASES: [string, string[], string[]][] = [
  // HTTP credential headers, every way curl and wget take them
  [
    'curl -H, separate, Bearer',
    ['curl', '-H', 'Authorization: Bearer SECRETa1b2', 'https://x'],
    ['curl', '-H', 'Authorization: Bearer ***', 'https://x'],
  ],
  ['curl -H, joined', ['curl', '-HAuthorization: Basic SECRETYWRtaW4=', 'https://x'], ['curl', '-HAuthorization: Basic ***', 'https://x']],
  [
    'curl --header, any case, Token scheme',
    ['curl', '--header', 'authorization:token SECRET9'],
    ['curl', '--header', 'authorization:token ***'],
  ],
  ['wget --header=', ['wget', '--header=Authorization: Bearer SECRET1'], ['wget', '--header=Authorization: Bearer ***']],
  ['X-Api-Key', ['curl', '-H', 'X-Api-Key: SECRETkey'], ['curl', '-H', 'X-Api-Key: ***']],
  ['x-auth-token, lower case', ['curl', '-H', 'x-auth-token:SECRET'], ['curl', '-H', 'x-auth-token:***']],
  ['Cookie', ['curl', '-H', 'Cookie: session=SECRETs; theme=dark'], ['curl', '-H', 'Cookie: ***']],
  [
    'Proxy-Authorization with --proxy-header',
    ['curl', '--proxy-header', 'Proxy-Authorization: Basic SECRET'],
    ['curl', '--proxy-header', 'Proxy-Authorization: Basic ***'],
  ],
  [
    'Digest with quoted parameters',
    ['curl', '-H', 'Authorization: Digest username="u", response="SECRETr"'],
    ['curl', '-H', 'Authorization: Digest ***'],
  ],
  [
    'httpie header argument',
    ['http', 'GET', 'x.com', 'Authorization:Bearer SECRETh'],
    ['http', 'GET', 'x.com', 'Authorization:Bearer ***'],
  ],
  ['an ordinary header is kept', ['curl', '-H', 'Accept: application/json'], ['curl', '-H', 'Accept: application/json']],
  // user:password
  ['curl -u separate', ['curl', '-u', 'admin:SECRETpw', 'https://x'], ['curl', '-u', 'admin:***', 'https://x']],
  ['curl -u joined', ['curl', '-uadmin:SECRETpw'], ['curl', '-uadmin:***']],
  ['curl --user=', ['curl', '--user=admin:SECRET:with:colons'], ['curl', '--user=admin:***']],
  ['curl -U proxy user', ['curl', '-U', 'p:SECRET'], ['curl', '-U', 'p:***']],
  ['a user without password is kept (curl prompts)', ['curl', '-u', 'admin', 'https://x'], ['curl', '-u', 'admin', 'https://x']],
  ['docker -u uid:gid is kept', ['docker', 'run', '-u', '1000:1000', 'img'], ['docker', 'run', '-u', '1000:1000', 'img']],
  ['URL credentials', ['psql', 'postgres://admin:SECRET@db/x'], ['psql', 'postgres://admin:***@db/x']],
  // -p / --password
  ['mysql -pPASSWORD', ['mysql', '-uroot', '-pSECRET', 'db'], ['mysql', '-uroot', '-p***', 'db']],
  ['mysql -p PASSWORD (separate)', ['/usr/bin/mysql', '-h', 'db1', '-p', 'SECRET'], ['/usr/bin/mysql', '-h', 'db1', '-p', '***']],
  ['mysqldump through sudo', ['sudo', '-u', 'backup', 'mysqldump', '-pSECRET', 'db'], ['sudo', '-u', 'backup', 'mysqldump', '-p***', 'db']],
  ['mysql -p alone prompts', ['mysql', '-p', '--batch'], ['mysql', '-p', '--batch']],
  [
    'sshpass -p, and ssh -p port after it',
    ['sshpass', '-p', 'SECRET', 'ssh', '-p', '2222', 'host'],
    ['sshpass', '-p', '***', 'ssh', '-p', '2222', 'host'],
  ],
  ['mongosh -p', ['mongosh', '-u', 'admin', '-p', 'SECRET'], ['mongosh', '-u', 'admin', '-p', '***']],
  ['redis-cli -a', ['redis-cli', '-a', 'SECRET', 'ping'], ['redis-cli', '-a', '***', 'ping']],
  ['unzip -P', ['unzip', '-P', 'SECRET', 'a.zip'], ['unzip', '-P', '***', 'a.zip']],
  ['7z -pSECRET', ['7z', 'x', '-pSECRET', 'a.7z'], ['7z', 'x', '-p***', 'a.7z']],
  ['ports and pids keep -p', ['ssh', '-p2222', 'host'], ['ssh', '-p2222', 'host']],
  ['psql -p port', ['psql', '-h', 'db', '-p', '5432'], ['psql', '-h', 'db', '-p', '5432']],
  ['strace -p pid', ['strace', '-p', '1234'], ['strace', '-p', '1234']],
  ['--password separate and joined', ['app', '--password', 'SECRET', '--password=SECRET2'], ['app', '--password', '***', '--password=***']],
  ['a secret starting with "-"', ['app', '--api-key', '-SECRET13', '-v'], ['app', '--api-key', '***', '-v']],
  ['a flag with no value', ['app', '--password', '--verbose'], ['app', '--password', '--verbose']],
  // assignments
  ['PGPASSWORD=', ['env', 'PGPASSWORD=SECRET', 'psql'], ['env', 'PGPASSWORD=***', 'psql']],
  [
    'MYSQL_ROOT_PASSWORD=',
    ['docker', 'run', '-e', 'MYSQL_ROOT_PASSWORD=SECRET', 'mysql'],
    ['docker', 'run', '-e', 'MYSQL_ROOT_PASSWORD=***', 'mysql'],
  ],
  ['GITHUB_TOKEN=', ['GITHUB_TOKEN=SECRET'], ['GITHUB_TOKEN=***']],
  ['CLIENT_SECRET=', ['x', 'OAUTH_CLIENT_SECRET=SECRET'], ['x', 'OAUTH_CLIENT_SECRET=***']],
  ['STRIPE_KEY=', ['x', 'STRIPE_KEY=SECRET'], ['x', 'STRIPE_KEY=***']],
  ['a lower-case sort_key is kept', ['x', '--sort_key=name'], ['x', '--sort_key=name']],
  [
    'URL query and DSN',
    ['app', 'https://api.x.com/v1?token=SECRET1&x=1', 'host=db password=SECRET7 user=x'],
    ['app', 'https://api.x.com/v1?token=***&x=1', 'host=db password=*** user=x'],
  ],
  // tokens by their look
  ['a JWT anywhere', ['app', '--id=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NSJ9.SECRETsig_-x'], ['app', '--id=***']],
  ['an AWS access key id', ['aws', '--profile', 'AKIAIOSFODNN7SECRETX'], ['aws', '--profile', '***']],
  ['an AWS secret key', ['app', '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'], ['app', '***']],
  [
    'a hex digest is kept',
    ['git', 'checkout', 'da39a3ee5e6b4b0d3255bfef95601890afd80709'],
    ['git', 'checkout', 'da39a3ee5e6b4b0d3255bfef95601890afd80709'],
  ],
  // a whole shell command in one argument
  [
    'sh -c with a header, a -p password and an assignment',
    ['sh', '-c', `PGPASSWORD=SECRET1 psql -p 5432; curl -H 'Authorization: Bearer SECRET2' https://x && mysql -pSECRET3 db`],
    ['sh', '-c', `PGPASSWORD=*** psql -p 5432; curl -H 'Authorization: Bearer ***' https://x && mysql -p*** db`],
  ],
  ['sh -c with curl -u', ['bash', '-c', 'curl -u admin:SECRET https://x'], ['bash', '-c', 'curl -u admin:*** https://x']],
];

describe('command line redaction', () => {
  it.each(CASES)('%s', (_name, args, expected) => {
    const out = redactArgs(args);
    expect(out).toEqual(expected);
    expect(out.join(' ')).not.toMatch(/SECRET(?!=)/);
  });

  it('caps very long command lines', () => {
    expect(redactCmdline(['x'.repeat(5000)]).length).toBe(1024);
  });

  it('never keeps half of a secret from an argument cut for length', () => {
    const long = `--x=${'a'.repeat(9000)} token=SECRETtail`;
    expect(redactCmdline(['app', long], 20_000)).not.toMatch(/SECRET|tail/);
    // a cut inside the secret itself: the cut-off word is dropped
    const cut = `${'a '.repeat(4090)}AKIAIOSFODNN7SECRETX`;
    expect(redactCmdline(['app', cut], 20_000)).not.toMatch(/AKIA|SECR/);
  });

  it('takes linear time on an adversarial argument (a sampler tick must not stall)', () => {
    const evil = [
      `${'token'.repeat(20_000)}/`,
      `${'-eyJ'.repeat(30_000)}`,
      `${'a://b:'.repeat(20_000)}`,
      `x ${'authtoken'.repeat(10_000)}`,
    ];
    const started = performance.now();
    for (const a of evil) redactText(a);
    redactCmdline(['sh', '-c', evil.join(' ')]);
    expect(performance.now() - started).toBeLessThan(2_000);
  });
});
