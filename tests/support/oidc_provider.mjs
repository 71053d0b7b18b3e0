// A real OpenID provider for the tests (node's certified `oidc-provider`, pinned in
// package-lock.json), on loopback. No browser is needed: the interaction (login, then
// consent) finishes by itself for the one test user, so a test follows the redirects
// with httpx.
//
//   node tests/support/oidc_provider.mjs CONFIG_JSON
//
// CONFIG_JSON: {"issuer": "http://127.0.0.1:PORT", "port": LISTEN_PORT,
//   "clients": [{"client_id", "client_secret", "redirect_uris": [...]}],
//   "subject": "...", "claims": {"email": ...}, "idTokenTtl": SECONDS}
// The issuer's port may differ from the port listened on (a test proxy in front).
// Prints "ready" once listening; stops on SIGTERM or when stdin closes.

import http from 'node:http';
import process from 'node:process';

import Provider from 'oidc-provider';

const config = JSON.parse(process.argv[2]);

const provider = new Provider(config.issuer, {
  clients: config.clients.map((client) => ({
    client_id: client.client_id,
    client_secret: client.client_secret,
    redirect_uris: client.redirect_uris,
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
    id_token_signed_response_alg: 'RS256',
  })),
  // PKCE for every client, whatever its authentication.
  pkce: { required: () => true },
  // The user's claims go into the ID token (as Entra ID does), not only to userinfo.
  conformIdTokenClaims: false,
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
  async findAccount(ctx, id) {
    return {
      accountId: id,
      async claims() {
        return { sub: id, ...config.claims };
      },
    };
  },
  features: { devInteractions: { enabled: false } },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  ttl: {
    IdToken: config.idTokenTtl || 3600,
    AccessToken: 600,
    AuthorizationCode: 60,
    Interaction: 600,
    Session: 3600,
    Grant: 3600,
  },
  cookies: { keys: ['accord-test-provider-cookie-key'] },
});
provider.proxy = false;

const callback = provider.callback();

async function interaction(req, res) {
  const details = await provider.interactionDetails(req, res);
  const { prompt, params, session } = details;
  if (prompt.name === 'login') {
    await provider.interactionFinished(
      req,
      res,
      { login: { accountId: config.subject } },
      { mergeWithLastSubmission: false },
    );
    return;
  }
  const grant = details.grantId
    ? await provider.Grant.find(details.grantId)
    : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
  grant.addOIDCScope(String(params.scope || 'openid'));
  for (const claim of prompt.details.missingOIDCClaims || []) {
    grant.addOIDCClaims([claim]);
  }
  const grantId = await grant.save();
  await provider.interactionFinished(
    req,
    res,
    { consent: { grantId } },
    { mergeWithLastSubmission: true },
  );
}

const server = http.createServer((req, res) => {
  if (req.method === 'GET' && req.url.startsWith('/interaction/')) {
    interaction(req, res).catch((error) => {
      res.statusCode = 500;
      res.end(String(error));
    });
    return;
  }
  callback(req, res);
});

server.listen(config.port, '127.0.0.1', () => {
  process.stdout.write('ready\n');
});

function stop() {
  server.close();
  process.exit(0);
}
process.on('SIGTERM', stop);
process.stdin.on('end', stop);
process.stdin.resume();
