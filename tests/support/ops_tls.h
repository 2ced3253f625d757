/* SPDX-License-Identifier: Apache-2.0
 *
 * Test support: a throw-away self-signed certificate for 127.0.0.1 / localhost, made with
 * libcrypto, for the HTTPS tests of the HTTP output and the web server.
 */
#ifndef FRC_TESTS_OPS_TLS_H
#define FRC_TESTS_OPS_TLS_H

/* Writes the certificate to @cert_path and "certificate + key" to @pem_path (the web
 * server's single-file convention); @key_path gets the key alone. 0 on success. */
int ops_tls_make_cert(const char *cert_path, const char *key_path, const char *pem_path);

#endif
