"""Certificates made at test time with the `openssl` tool, so no test depends on files that
expire: a throwaway CA, and server certificates it signs for chosen names. Python's ssl module
can verify certificates but not make them, hence the command line tool.

Everything is written as PEM files into a directory the caller owns (a temporary one); the CA's
key stays there too, so more certificates can be issued during a test.
"""

import ipaddress
import os
import subprocess

_OPENSSL_TIMEOUT_S = 30
_VALID_DAYS = 1
# P-256 keys: quick to make, and every client takes them.
_KEY_ARGS = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"]

_CA_EXTENSIONS = """\
[ca]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
"""

_SERVER_EXTENSIONS = """\
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
subjectAltName = {names}
"""


class CertificateError(Exception):
    """The openssl tool is missing or refused to make a certificate."""


class ServerCertificate:
    """A certificate and its key as files; `names` are the names it is valid for."""

    def __init__(self, cert_file, key_file, names):
        self.cert_file = cert_file
        self.key_file = key_file
        self.names = names


class CertificateAuthority:
    """A self-signed CA in `directory`: `ca_file` is what clients trust."""

    def __init__(self, directory):
        self.directory = directory
        self.ca_file = os.path.join(directory, "ca.pem")
        self._key_file = os.path.join(directory, "ca-key.pem")
        config = os.path.join(directory, "ca.cnf")
        _write(config, "[req]\ndistinguished_name = dn\n[dn]\n" + _CA_EXTENSIONS)
        _openssl(["req", "-x509", *_KEY_ARGS, "-keyout", self._key_file, "-out", self.ca_file,
                  "-days", str(_VALID_DAYS), "-subj", "/CN=Sluice Test CA", "-config", config,
                  "-extensions", "ca"])

    def issue(self, stem, names):
        """A server certificate for names (DNS names or IP addresses), signed by this CA and
        written as `<stem>.pem` and `<stem>-key.pem`."""
        cert_file = os.path.join(self.directory, f"{stem}.pem")
        key_file = os.path.join(self.directory, f"{stem}-key.pem")
        request_file = os.path.join(self.directory, f"{stem}.csr")
        extensions_file = os.path.join(self.directory, f"{stem}.ext")
        _write(extensions_file, _SERVER_EXTENSIONS.format(names=_subject_alt_names(names)))
        _openssl(["req", "-new", *_KEY_ARGS, "-keyout", key_file, "-out", request_file,
                  "-subj", f"/CN={names[0]}"])
        _openssl(["x509", "-req", "-in", request_file, "-CA", self.ca_file, "-CAkey",
                  self._key_file, "-set_serial", str(int.from_bytes(os.urandom(8), "big")),
                  "-days", str(_VALID_DAYS), "-extfile", extensions_file, "-out", cert_file])
        return ServerCertificate(cert_file, key_file, list(names))


def _subject_alt_names(names):
    def entry(name):
        try:
            ipaddress.ip_address(name)
            return f"IP:{name}"
        except ValueError:
            return f"DNS:{name}"

    return ", ".join(entry(name) for name in names)


def _write(path, text):
    with open(path, "w", encoding="utf-8") as file:
        file.write(text)


def _openssl(arguments):
    try:
        result = subprocess.run(["openssl", *arguments], stdin=subprocess.DEVNULL,
                                capture_output=True, text=True, errors="replace",
                                timeout=_OPENSSL_TIMEOUT_S, check=False)
    except FileNotFoundError as error:
        raise CertificateError("the openssl tool is not installed (make deps-test)") from error
    except subprocess.TimeoutExpired as error:
        raise CertificateError(f"openssl {arguments[0]} took over {_OPENSSL_TIMEOUT_S} s") \
            from error
    if result.returncode != 0:
        raise CertificateError(f"openssl {' '.join(arguments[:2])} failed: "
                               + result.stderr.strip())
