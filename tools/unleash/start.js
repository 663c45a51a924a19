// A real Unleash for Bellwether's integration tests (started by dev.bellwether.support.UnleashServer),
// listening on 127.0.0.1 only. Everything comes from the environment:
//
//   DATABASE_URL                 postgres://user:password@host:port/database (wins over the PG* variables)
//   PGHOST PGPORT PGUSER PGPASSWORD PGDATABASE
//                                used when DATABASE_URL is absent (defaults 127.0.0.1 5432 unleash unleash unleash;
//                                an empty PGPASSWORD is kept empty, for trust authentication)
//   UNLEASH_PORT                 HTTP port (default 4242)
//   UNLEASH_ADMIN_TOKEN          secret of the admin token, must look like "*:*.<anything>"
//   UNLEASH_CLIENT_TOKEN         secret of the client token, must look like "default:development.<anything>"
//   UNLEASH_FRONTEND_TOKEN       optional: secret of a frontend token (for /api/frontend, as browsers read flags),
//                                must look like "default:development.<anything>"
//
// Tokens are created at start (authentication.initApiTokens), so tests need no UI login.
// unleash-server 7.x is an ES module; a dynamic import keeps this file CommonJS and runnable with plain `node start.js`.
'use strict';

const env = process.env;

function database() {
    if (env.DATABASE_URL) {
        return { databaseUrl: env.DATABASE_URL, db: { ssl: false } };
    }
    return {
        db: {
            host: env.PGHOST ?? '127.0.0.1',
            port: Number(env.PGPORT ?? 5432),
            user: env.PGUSER ?? 'unleash',
            password: env.PGPASSWORD ?? 'unleash',
            database: env.PGDATABASE ?? 'unleash',
            ssl: false,
        },
    };
}

function required(name, pattern) {
    const value = env[name];
    if (!value || !pattern.test(value)) {
        // Never print the value: it is a token.
        console.error(`start.js: ${name} must be set and match ${pattern}`);
        process.exit(2);
    }
    return value;
}

async function main() {
    const adminToken = required('UNLEASH_ADMIN_TOKEN', /^\*:\*\..+/);
    const clientToken = required('UNLEASH_CLIENT_TOKEN', /^default:development\..+/);
    const frontendTokens = env.UNLEASH_FRONTEND_TOKEN
        ? [{
              environment: 'development',
              projects: ['default'],
              secret: required('UNLEASH_FRONTEND_TOKEN', /^default:development\..+/),
              type: 'frontend',
              tokenName: 'bellwether-frontend',
          }]
        : [];
    // No calls home from a test server (options.telemetry=false is ignored by 7.x's createConfig).
    env.SEND_TELEMETRY = env.SEND_TELEMETRY || 'false';
    const { start, LogLevel } = await import('unleash-server');
    const unleash = await start({
        ...database(),
        server: { port: Number(env.UNLEASH_PORT || 4242), host: '127.0.0.1' },
        authentication: {
            initApiTokens: [
                { environment: '*', projects: ['*'], secret: adminToken, type: 'admin', tokenName: 'bellwether-admin' },
                {
                    environment: 'development',
                    projects: ['default'],
                    secret: clientToken,
                    type: 'client',
                    tokenName: 'bellwether-client',
                },
                ...frontendTokens,
            ],
        },
        versionCheck: { enable: false },
        logLevel: LogLevel.warn,
    });
    const stop = async (signal) => {
        try {
            await unleash.stop();
        } finally {
            process.exit(signal === 'SIGTERM' || signal === 'SIGINT' ? 0 : 1);
        }
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
}

main().catch((error) => {
    console.error('start.js: Unleash failed to start:', error);
    process.exit(1);
});
