// Certificates made at test time with the `openssl` tool, so the test depends on no file that
// expires: a throwaway CA and server certificates it signs. Node's crypto module cannot issue
// X.509 certificates, hence the command line tool. Every file is written into a directory the
// caller owns (a temporary one), the CA's key included, so more certificates can be issued.

import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import path from 'node:path';

const VALID_DAYS = '1';
// P-256 keys: quick to make, and every client takes them.
const KEY_ARGS = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];

const CA_CONFIG = `[req]
distinguished_name = dn
[dn]
[ca]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
`;

function serverExtensions(names) {
  const altNames = names.map((name) => (isIP(name) ? `IP:${name}` : `DNS:${name}`)).join(', ');
  return `basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
subjectAltName = ${altNames}
`;
}

function openssl(args) {
  try {
    execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'], timeout: 30000 });
  } catch (error) {
    const detail = error.code === 'ENOENT'
      ? 'the openssl tool is not installed (make deps-test installs it)'
      : String(error.stderr ?? error.message).trim();
    throw new Error(`openssl ${args.slice(0, 2).join(' ')} failed: ${detail}`);
  }
}

// A self-signed CA in `directory`; `caFile` is what clients trust.
export class CertificateAuthority {
  constructor(directory) {
    this.directory = directory;
    this.caFile = path.join(directory, 'ca.pem');
    this.keyFile = path.join(directory, 'ca-key.pem');
    const config = path.join(directory, 'ca.cnf');
    writeFileSync(config, CA_CONFIG);
    openssl(['req', '-x509', ...KEY_ARGS, '-keyout', this.keyFile, '-out', this.caFile,
      '-days', VALID_DAYS, '-subj', '/CN=Sluice Test CA', '-config', config,
      '-extensions', 'ca']);
  }

  // A server certificate for `names` (DNS names or IP addresses), signed by this CA, written as
  // `<stem>.pem` and `<stem>-key.pem`. Returns { certFile, keyFile }.
  issue(stem, names) {
    const certFile = path.join(this.directory, `${stem}.pem`);
    const keyFile = path.join(this.directory, `${stem}-key.pem`);
    const requestFile = path.join(this.directory, `${stem}.csr`);
    const extensionsFile = path.join(this.directory, `${stem}.ext`);
    writeFileSync(extensionsFile, serverExtensions(names));
    openssl(['req', '-new', ...KEY_ARGS, '-keyout', keyFile, '-out', requestFile,
      '-subj', `/CN=${names[0]}`]);
    openssl(['x509', '-req', '-in', requestFile, '-CA', this.caFile, '-CAkey', this.keyFile,
      '-set_serial', `0x${randomBytes(8).toString('hex')}`, '-days', VALID_DAYS,
      '-extfile', extensionsFile, '-out', certFile]);
    return { certFile, keyFile };
  }
}
